import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor } from '../../tensor/tensor.ts';
import { matmul, mul, sub, sum, transpose } from '../../tensor/ops.ts';
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

test('nuclearNorm = Σ|σ̂ᵢ| with gradient Σ sign(σ̂ᵢ)uᵢvᵢᵀ: bounded below even before the tracker converges', () => {
  const x = known();
  const tr = svdTracker({ m: 7, n: 5, k: 3 });
  const s = tr.init(random.key(2)); // unconverged: some σ̂ᵢ are negative
  const e = tr.estimate(s, x);
  const signs = Array.from(e.values.data, Math.sign);
  assert.ok(
    signs.some((v) => v < 0),
    `want a negative σ̂ at this start: ${Array.from(e.values.data)}`,
  );
  assert.equal(
    tr.nuclearNorm(s, x).data[0],
    Array.from(e.values.data).reduce((a, v) => a + Math.abs(v), 0),
  );
  const g = grad((y: Tensor) => tr.nuclearNorm(s, y))(x);
  const want = matmul(mul(e.u, new Tensor(Float64Array.from(signs), [3], 'float64')), transpose(e.v));
  assert.ok(maxAbsDiff(g.data, want.data) < 1e-13);
  // Moving X against the gradient can only lower Σ|σ̂| to 0, never below (the signed sum would go negative).
  let y = x;
  for (let i = 0; i < 200; i++) y = sub(y, mul(grad((z: Tensor) => tr.nuclearNorm(s, z))(y), 0.05));
  assert.ok(tr.nuclearNorm(s, y).data[0]! >= 0 && tr.nuclearNorm(s, y).data[0]! < 0.2, `${tr.nuclearNorm(s, y).data[0]}`);
  assert.ok(sum(tr.estimate(s, y).values).data[0]! > -0.2);
});
