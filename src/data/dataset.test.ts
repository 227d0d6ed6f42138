import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor, tensor } from '../tensor/tensor.ts';
import { checkDataset, isClassification, numExamples } from './dataset.ts';

const x = tensor([
  [0, 1],
  [2, 3],
  [4, 5],
]);
const labels = (v: number[]): Tensor => tensor(v, { dtype: 'int32' });

test('checkDataset: accepts classification and regression data and returns it', () => {
  const cls = { x, y: labels([0, 2, 1]), numClasses: 3, name: 'toy' };
  assert.equal(checkDataset(cls), cls);
  assert.equal(numExamples(cls), 3);
  assert.ok(isClassification(cls));
  const reg = { x, y: tensor([[1], [2], [3]]), name: 'toy-reg' };
  assert.equal(checkDataset(reg), reg);
  assert.ok(!isClassification(reg));
  checkDataset({ x, y: tensor([1, 2, 3]), name: 'toy-reg-1d' });
});

test('checkDataset: errors name the dataset, the index and the value', () => {
  assert.throws(() => checkDataset({ x, y: labels([0, 1]), numClasses: 3, name: 'short' }), /dataset 'short': x has 3 examples \[3, 2\] but y has shape \[2\]/);
  assert.throws(() => checkDataset({ x, y: labels([0, 3, 1]), numClasses: 3, name: 'bad' }), /dataset 'bad': label 3 at index 1 is outside \[0, 3\)/);
  assert.throws(() => checkDataset({ x, y: labels([0, -1, 1]), numClasses: 3, name: 'neg' }), /label -1 at index 1/);
  assert.throws(() => checkDataset({ x, y: labels([0, 1, 1]), name: 'nocls' }), /'nocls': int32 labels need numClasses/);
  assert.throws(
    () =>
      checkDataset({
        x: tensor([
          [0, 1],
          [NaN, 3],
          [4, 5],
        ]),
        y: labels([0, 1, 1]),
        numClasses: 2,
        name: 'nan',
      }),
    /'nan': feature 0 of example 1 is NaN/,
  );
  assert.throws(
    () =>
      checkDataset({
        x: tensor([
          [0, 1],
          [2, 3],
          [4, Infinity],
        ]),
        y: tensor([1, 2, 3]),
        name: 'inf',
      }),
    /feature 1 of example 2 is Infinity/,
  );
  assert.throws(
    () =>
      checkDataset({
        x,
        y: tensor([
          [1, 2],
          [3, NaN],
          [5, 6],
        ]),
        name: 'tgt',
      }),
    /target NaN at index 1, output 1 is not finite/,
  );
  assert.throws(() => checkDataset({ x: labels([1, 2, 3]), y: labels([0, 1, 1]), numClasses: 2, name: 'intx' }), /x must be float64 or float32, got int32/);
  assert.throws(() => checkDataset({ x: tensor([1, 2, 3]), y: labels([0, 1, 1]), numClasses: 2, name: 'rank1' }), /rank ≥ 2/);
  assert.throws(() => checkDataset({ x, y: tensor([1, 2, 3]), numClasses: 2, name: 'mixed' }), /numClasses \(2\) is set but y is float64/);
  assert.throws(() => checkDataset({ x, y: labels([0, 1, 1]), numClasses: 2, name: '' }), /name must be a non-empty string/);
});
