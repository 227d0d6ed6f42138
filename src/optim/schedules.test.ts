import { test } from 'node:test';
import assert from 'node:assert/strict';
import { constant, cosine, piecewiseConstant, stepDecay, warmup } from './schedules.ts';

const close = (a: number, b: number, what: string): void => assert.ok(Math.abs(a - b) <= 1e-15 * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);

test('schedules: constant and step decay', () => {
  assert.equal(constant(0.3)(0), 0.3);
  assert.equal(constant(0.3)(1e6), 0.3);
  const s = stepDecay(1, { every: 10, factor: 0.5 });
  assert.deepEqual([0, 9, 10, 19, 20, 35].map(s), [1, 1, 0.5, 0.5, 0.25, 0.125]);
  assert.equal(stepDecay(2, { every: 3 })(3), 2 * 0.1, 'default factor 0.1 (PyTorch StepLR gamma)');
});

test('schedules: cosine from value to final, then flat', () => {
  const s = cosine(1, 100, 0.1);
  close(s(0), 1, 'start');
  close(s(50), 0.55, 'midpoint');
  close(s(25), 0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI / 4)), 'quarter');
  close(s(100), 0.1, 'end');
  close(s(500), 0.1, 'after the end');
  close(cosine(2, 10)(10), 0, 'default final 0');
});

test('schedules: linear warm-up composes with another schedule (whose clock starts after warm-up)', () => {
  const s = warmup(10, cosine(1, 100));
  assert.deepEqual([0, 5, 9].map(s), [0, 0.5, 0.9]);
  close(s(10), 1, 'end of warm-up = cosine(0)');
  close(s(60), 0.5, 'cosine midpoint 50 steps after warm-up');
  const w = warmup(4, 0.8, { start: 0.4 });
  assert.deepEqual([0, 2, 4, 100].map(w), [0.4, 0.6000000000000001, 0.8, 0.8]);
});

test('schedules: piecewise constant', () => {
  const s = piecewiseConstant([100, 200], [0.1, 0.01, 0.001]);
  assert.deepEqual([0, 99, 100, 199, 200, 1e6].map(s), [0.1, 0.1, 0.01, 0.01, 0.001, 0.001]);
  assert.equal(piecewiseConstant([], [3])(7), 3);
});

test('schedules: bad arguments and steps are rejected with the problem named', () => {
  assert.throws(() => constant(NaN), /constant: value must be a finite number, got NaN/);
  assert.throws(() => stepDecay(1, { every: 0 }), /stepDecay: every must be an integer ≥ 1, got 0/);
  assert.throws(() => stepDecay(1, { every: 2, factor: -1 }), /stepDecay: factor must be a finite number ≥ 0, got -1/);
  assert.throws(() => cosine(1, 0), /cosine: steps must be an integer ≥ 1, got 0/);
  assert.throws(() => warmup(0, 1), /warmup: steps must be an integer ≥ 1/);
  assert.throws(() => piecewiseConstant([10, 5], [1, 2, 3]), /strictly increasing, got 10 then 5/);
  assert.throws(() => piecewiseConstant([10], [1]), /needs one more value than boundaries, got 1 values for 1 boundaries/);
  assert.throws(() => piecewiseConstant([-1], [1, 2]), /boundary 0 must be a non-negative integer step, got -1/);
  assert.throws(() => cosine(1, 10)(-1), /cosine: step must be a finite number ≥ 0, got -1/);
  assert.throws(() => constant(1)(NaN), /constant: step must be a finite number ≥ 0, got NaN/);
});
