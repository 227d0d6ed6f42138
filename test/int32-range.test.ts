/** int32 tensors hold what they are given or refuse it: no silent wrap-around, no NaN turned into 0. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tensor } from '../src/tensor/tensor.ts';
import { cast } from '../src/tensor/ops.ts';

test('tensor(…, int32) refuses values outside the int32 range and accepts its ends', () => {
  assert.throws(() => tensor([3e9], { dtype: 'int32' }), /value 3000000000 at flat index 0 is outside the int32 range/);
  assert.throws(() => tensor([1, -2147483649], { dtype: 'int32' }), /value -2147483649 at flat index 1 is outside/);
  assert.throws(() => tensor(new Float64Array([NaN]), { dtype: 'int32' }), /NaN .*not an integer/);
  assert.deepEqual([...tensor([2147483647, -2147483648], { dtype: 'int32' }).data], [2147483647, -2147483648]);
});

test('cast to int32 refuses NaN, ±Infinity and values out of range; truncates the rest', () => {
  for (const [v, i] of [
    [NaN, 0],
    [Infinity, 0],
    [-Infinity, 0],
    [2147483648, 0],
    [-2147483649, 0],
  ] as const) {
    assert.throws(() => cast(tensor([v, 1]), 'int32'), new RegExp(`cast: value ${v} at flat index ${i} has no int32 value`));
  }
  assert.throws(() => cast(tensor([1, 2, NaN], { dtype: 'float32' }), 'int32'), /value NaN at flat index 2/);
  assert.deepEqual([...cast(tensor([2147483647.9, -2147483648.9, 3.7, -3.7]), 'int32').data], [2147483647, -2147483648, 3, -3]);
  assert.deepEqual([...cast(tensor([NaN, 2]), 'float32').data], [NaN, 2], 'casts to float keep NaN');
});
