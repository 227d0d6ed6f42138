import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor, eye, full } from '../../tensor/tensor.ts';
import { matmul, mul, sum, transpose } from '../../tensor/ops.ts';
import { grad } from '../../tensor/transforms.ts';
import * as random from '../../tensor/random.ts';
import { sgd } from '../../optim/aliases.ts';
import { eigenTracker, type EigenTracker, type EigenTrackerState } from './eigen-tracker.ts';
import { brockettLoss, brockettWeights } from './losses.ts';
import { exactTopK } from './monitor.ts';
import { orthonormalBasis } from './basis.ts';
import { maxAbsDiff, withSpectrum } from './test-helpers.ts';

const SPECTRUM = [5, 4, 3, 2, 1, 0.5, 0.25, 0.1];

function run(tr: EigenTracker, a: Tensor, steps: number, seed = 0): EigenTrackerState {
  let s = tr.init(random.key(seed));
  for (let i = 0; i < steps; i++) s = tr.update(s, a).state;
  return s;
}

test('Brockett loss reaches its analytic optimum −Σ mᵢλᵢ, in order, with exact eigenvectors', () => {
  const a = withSpectrum(1, SPECTRUM);
  const tr = eigenTracker({ n: 8, k: 3, normalize: false });
  const s = run(tr, a, 1500);
  const m = brockettWeights(3);
  const optimum = -(3 * 5 + 2 * 4 + 1 * 3);
  assert.ok(Math.abs(brockettLoss(s.params.w, a, m).data[0]! - optimum) < 1e-9, `loss ${brockettLoss(s.params.w, a, m).data[0]} vs ${optimum}`);
  const e = tr.estimate(s, a);
  assert.ok(maxAbsDiff(e.values.data, [5, 4, 3]) < 1e-9, `λ̂ = ${Array.from(e.values.data)}`);
  const ex = exactTopK(a, 3);
  const c = tr.check(s, a);
  assert.ok(c.maxRelValueError < 1e-9 && c.minAbsCos > 1 - 1e-9, JSON.stringify(c));
  assert.deepEqual(
    c.exact.map((x) => Number(x.toFixed(9))),
    [5, 4, 3],
  );
  assert.equal(ex.values.length, 3);
});

test('Brockett ordering: λ̂ comes out descending (the order of M) from every start', () => {
  const a = withSpectrum(2, SPECTRUM);
  for (const seed of [0, 1, 2]) {
    const tr = eigenTracker({ n: 8, k: 4 });
    const v = tr.estimate(run(tr, a, 1500, seed), a).values.data;
    for (let i = 1; i < 4; i++) assert.ok(v[i - 1]! > v[i]!, `seed ${seed}: ${Array.from(v)}`);
    assert.ok(maxAbsDiff(v, [5, 4, 3, 2]) < 1e-7, `seed ${seed}: ${Array.from(v)}`);
  }
});

test('convex trace loss reaches the top-k eigenvalues; estimates are sorted by Rayleigh quotient', () => {
  const a = withSpectrum(3, SPECTRUM);
  const tr = eigenTracker({ n: 8, k: 3, loss: 'convex' });
  const s = run(tr, a, 2000);
  const e = tr.estimate(s, a);
  assert.ok(maxAbsDiff(e.values.data, [5, 4, 3]) < 1e-7, `λ̂ = ${Array.from(e.values.data)}`);
  assert.ok(tr.check(s, a).minAbsCos > 1 - 1e-7);
});

test('any optim transformation drives the tracker (plain SGD)', () => {
  const a = withSpectrum(4, SPECTRUM);
  const tr = eigenTracker({ n: 8, k: 2, optimizer: sgd(0.5) });
  const s = run(tr, a, 3000);
  assert.ok(maxAbsDiff(tr.estimate(s, a).values.data, [5, 4]) < 1e-8, `${Array.from(tr.estimate(s, a).values.data)}`);
});

test('∂λ̂ᵢ/∂A = uᵢuᵢᵀ (U detached), checked through grad of Σ cᵢλ̂ᵢ', () => {
  const a = withSpectrum(5, SPECTRUM);
  const tr = eigenTracker({ n: 8, k: 3 });
  const s = run(tr, a, 50); // not converged on purpose: the identity holds for any U
  const c = new Tensor(Float64Array.from([0.7, -1.3, 2.1]), [3], 'float64');
  const g = grad((x: Tensor) => sum(mul(c, tr.estimate(s, x).values)))(a);
  const u = tr.estimate(s, a).vectors;
  const want = matmul(mul(u, c), transpose(u)); // Σ cᵢ uᵢuᵢᵀ
  assert.ok(maxAbsDiff(g.data, want.data) < 1e-13, `max diff ${maxAbsDiff(g.data, want.data)}`);
});

test('the eigen loss gradient through the engine QR rule matches finite differences', () => {
  const a = withSpectrum(6, SPECTRUM);
  const m = brockettWeights(3);
  const w = random.normal(random.key(7), [8, 3]);
  const g = grad((x: Tensor) => brockettLoss(x, a, m))(w);
  const h = 1e-6;
  for (const idx of [0, 5, 13, 23]) {
    const plus = Float64Array.from(w.data);
    plus[idx]! += h;
    const minus = Float64Array.from(w.data);
    minus[idx]! -= h;
    const fd = (brockettLoss(new Tensor(plus, [8, 3], 'float64'), a, m).data[0]! - brockettLoss(new Tensor(minus, [8, 3], 'float64'), a, m).data[0]!) / (2 * h);
    assert.ok(Math.abs(fd - g.data[idx]!) < 1e-7, `entry ${idx}: fd ${fd} vs ${g.data[idx]}`);
  }
});

test('the refresh W ← qf(W) leaves U unchanged and resets R to I', () => {
  const a = withSpectrum(8, SPECTRUM);
  const tr = eigenTracker({ n: 8, k: 3, refreshEvery: 10 });
  const s9 = run(tr, a, 9);
  const s10 = tr.update(s9, a).state;
  const u = orthonormalBasis(s10.params.w);
  assert.ok(maxAbsDiff(u.data, s10.params.w.data) < 1e-14, 'after a refresh step W is its own Q factor');
});

test('warm-up runs the configured steps; ready flips then; checkEvery attaches an exact check', () => {
  const a = withSpectrum(9, SPECTRUM);
  const tr = eigenTracker({ n: 8, k: 2, warmupSteps: 30, checkEvery: 5 });
  let s = tr.init(random.key(0));
  assert.equal(tr.ready(s), false);
  s = tr.warmup(s, a);
  assert.equal(s.step, 30);
  assert.equal(tr.ready(s), true);
  const r1 = tr.update(s, a);
  assert.equal(r1.check, undefined);
  let r = r1;
  for (let i = 0; i < 4; i++) r = tr.update(r.state, a);
  assert.equal(r.state.step, 35);
  assert.ok(r.check && Number.isFinite(r.check.maxRelValueError));
});

test('degenerate spectra (documented): ties give no NaN and the tied eigenvalue', () => {
  // Top two tied (3, 3): any basis of the tied eigenspace is optimal; λ̂ still converges.
  const a = withSpectrum(10, [3, 3, 1, 0.5, 0.2, 0.1]);
  for (const loss of ['brockett', 'convex'] as const) {
    const tr = eigenTracker({ n: 6, k: 3, loss });
    const s = run(tr, a, 1500);
    const v = tr.estimate(s, a).values.data;
    assert.ok(Array.from(s.params.w.data).every(Number.isFinite), `${loss}: W finite`);
    assert.ok(maxAbsDiff(v, [3, 3, 1]) < 1e-7, `${loss}: ${Array.from(v)}`);
    const c = tr.check(s, a);
    assert.ok(Number.isFinite(c.maxRelValueError) && c.maxRelValueError < 1e-7, JSON.stringify(c));
  }
  // Fully degenerate: A = 2I and A = 0. Every orthonormal U is optimal: no step may produce NaN.
  for (const mat of [mul(eye(5), 2), full([5, 5], 0)]) {
    const tr = eigenTracker({ n: 5, k: 2 });
    const s = run(tr, mat, 50);
    const v = tr.estimate(s, mat).values.data;
    assert.ok(Array.from(s.params.w.data).every(Number.isFinite));
    assert.ok(maxAbsDiff(v, [mat.data[0]!, mat.data[0]!]) < 1e-12, `${Array.from(v)}`);
  }
});

test('bad input: clear errors naming the tracker', () => {
  assert.throws(() => eigenTracker({ n: 4, k: 5 }), /eigenTracker: k = 5 exceeds n = 4/);
  assert.throws(() => eigenTracker({ n: 4, k: 0 }), /eigenTracker: k must be a positive integer, got 0/);
  assert.throws(() => eigenTracker({ n: 4, k: -2 }), /eigenTracker: k must be a positive integer/);
  assert.throws(() => eigenTracker({ n: 4, k: 2, weights: [1, 2] }), /eigenTracker: weights must be positive and strictly decreasing/);
  const tr = eigenTracker({ n: 3, k: 2 });
  const s = tr.init(random.key(0));
  const nonSym = new Tensor(Float64Array.from([1, 2, 0, 0, 1, 0, 0, 0, 1]), [3, 3], 'float64');
  assert.throws(() => tr.update(s, nonSym), /eigenTracker: A is not symmetric: \|A\[0,1\] − A\[1,0\]\|/);
  const nan = new Tensor(Float64Array.from([1, 0, 0, 0, NaN, 0, 0, 0, 1]), [3, 3], 'float64');
  assert.throws(() => tr.update(s, nan), /eigenTracker: A has a non-finite entry NaN at \(1, 1\)/);
  const inf = new Tensor(Float64Array.from([1, 0, 0, 0, 1, 0, 0, 0, Infinity]), [3, 3], 'float64');
  assert.throws(() => tr.estimate(s, inf), /eigenTracker: A has a non-finite entry Infinity/);
  assert.throws(() => tr.update(s, eye(4)), /eigenTracker: A must be \[3, 3\], got \[4, 4\]/);
});
