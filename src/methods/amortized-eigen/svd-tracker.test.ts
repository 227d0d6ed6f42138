import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor } from '../../tensor/tensor.ts';
import { matmul, mul, sum, transpose } from '../../tensor/ops.ts';
import { grad } from '../../tensor/transforms.ts';
import * as random from '../../tensor/random.ts';
import { svdTracker, exactSingularValues } from './svd-tracker.ts';
import { maxAbsDiff, randomOrthogonal } from './test-helpers.ts';

const SIGMAS = [4, 2.5, 1.5, 0.7, 0.3];

/** X = P·diag(σ)·Qᵀ, 7×5, with known singular values. */
function known(): Tensor {
  const p = randomOrthogonal(11, 7, 5);
  const q = randomOrthogonal(12, 5);
  return matmul(mul(p, new Tensor(Float64Array.from(SIGMAS), [5], 'float64')), transpose(q));
}

test('the SVD variant recovers the singular values of a known matrix, in order', () => {
  const x = known();
  const tr = svdTracker({ m: 7, n: 5, k: 3 });
  let s = tr.init(random.key(0));
  for (let i = 0; i < 2000; i++) s = tr.update(s, x).state;
  const e = tr.estimate(s, x);
  assert.ok(maxAbsDiff(e.values.data, SIGMAS.slice(0, 3)) < 1e-8, `σ̂ = ${Array.from(e.values.data)}`);
  assert.ok(maxAbsDiff(exactSingularValues(x, 3).data, SIGMAS.slice(0, 3)) < 1e-12);
});

test('∂Σσ̂ᵢ/∂X = U·Vᵀ (the nuclear-norm subgradient), equal to the exact SVD gradient at convergence', () => {
  const x = known();
  const tr = svdTracker({ m: 7, n: 5, k: 5, warmupSteps: 3000 });
  const s = tr.warmup(tr.init(random.key(1)), x);
  const e = tr.estimate(s, x);
  const g = grad((y: Tensor) => sum(tr.estimate(s, y).values))(x);
  assert.ok(maxAbsDiff(g.data, matmul(e.u, transpose(e.v)).data) < 1e-13);
  const exact = grad((y: Tensor) => sum(exactSingularValues(y, 5)))(x);
  assert.ok(maxAbsDiff(g.data, exact.data) < 1e-6, `vs exact: ${maxAbsDiff(g.data, exact.data)}`);
});

test('SVD tracker bad input names the tracker', () => {
  assert.throws(() => svdTracker({ m: 3, n: 5, k: 4 }), /svdTracker: k = 4 exceeds min\(m, n\) = 3/);
  assert.throws(() => svdTracker({ m: 3, n: 5, k: 0 }), /svdTracker: k must be a positive integer/);
  const tr = svdTracker({ m: 2, n: 2, k: 1 });
  const s = tr.init(random.key(0));
  assert.throws(() => tr.update(s, new Tensor(Float64Array.from([1, NaN, 0, 1]), [2, 2], 'float64')), /svdTracker: X has a non-finite entry NaN at \(0, 1\)/);
  assert.throws(() => tr.estimate(s, new Tensor(new Float64Array(6), [2, 3], 'float64')), /svdTracker: X must be \[2, 2\], got \[2, 3\]/);
});
