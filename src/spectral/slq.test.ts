import { test } from 'node:test';
import assert from 'node:assert/strict';
import { key } from '../tensor/prng.ts';
import { slqDensity } from './slq.ts';
import { hutchinsonTrace } from './hutchinson.ts';
import { powerIteration } from './power.ts';
import { denseSpectrum } from './dense.ts';
import { operatorFromDiagonal, operatorFromFunction } from './operator.ts';
import { maxRelErr, randomSymmetric, sorted } from './test-util.ts';

test('slq: with m ≥ n (n < steps) the nodes are the exact eigenvalues and every mass is 1', () => {
  const d = [-2, -0.5, 0.1, 1, 3, 7];
  const r = slqDensity(operatorFromDiagonal(d), { key: key(1), probes: 4, steps: 50 });
  for (const [p, th] of r.nodes.entries()) {
    assert.ok(maxRelErr(th, d) < 1e-12, `probe ${p}: ${th}`);
    assert.ok(Math.abs(r.weights[p]!.reduce((a, b) => a + b, 0) - 1) < 1e-14);
  }
  assert.ok(Math.abs(r.mass - 1) < 1e-6, `grid mass ${r.mass}`);
  assert.equal(r.matvecs, 4 * 6);
});

test('slq: repeated/clustered spectrum breaks down early (weights of the distinct values), mass and first moment exact', () => {
  const d = [...Array(30).fill(1), ...Array(10).fill(-4), ...Array(20).fill(10)];
  const r = slqDensity(operatorFromDiagonal(d), { key: key(2), probes: 8, steps: 40 });
  assert.equal(r.breakdowns, 8);
  for (const th of r.nodes) assert.ok(maxRelErr(th, [-4, 1, 10]) < 1e-12);
  // Rademacher probes on a diagonal operator: zᵀAz/n is the exact mean for every probe.
  assert.ok(Math.abs(r.firstMoment - d.reduce((a, b) => a + b) / d.length) < 1e-12);
  assert.ok(Math.abs(r.mass - 1) < 1e-6);
});

test('slq: first moment estimates tr(A)/n on a dense matrix; the same key gives identical bytes', () => {
  const op = randomSymmetric(120, 3);
  const exact = denseSpectrum(op).values.reduce((a, b) => a + b, 0) / 120;
  const a = slqDensity(op, { key: key(4), probes: 30, steps: 30 });
  const b = slqDensity(op, { key: key(4), probes: 30, steps: 30 });
  assert.ok(Math.abs(a.firstMoment - exact) < 3 * a.firstMomentStdErr, `${a.firstMoment} vs ${exact} ± ${a.firstMomentStdErr}`);
  assert.ok(Buffer.from(a.density.buffer).equals(Buffer.from(b.density.buffer)));
  assert.ok(Math.abs(a.mass - 1) < 1e-3);
});

test('hutchinson: within 3 standard errors of the exact trace over 100 seeds (≥ 95 %), and the error bar is calibrated', () => {
  const op = randomSymmetric(60, 5);
  const exact = denseSpectrum(op).values.reduce((a, b) => a + b, 0);
  let inside1 = 0;
  let inside3 = 0;
  for (let seed = 0; seed < 100; seed++) {
    const h = hutchinsonTrace(op, { key: key(100 + seed), probes: 40 });
    assert.ok(h.stdErr > 0);
    if (Math.abs(h.trace - exact) <= 3 * h.stdErr) inside3++;
    if (Math.abs(h.trace - exact) <= h.stdErr) inside1++;
  }
  // Normal theory: 99.7 % inside ±3 SE, 68 % inside ±1 SE (a t with 39 degrees of freedom: a little fewer).
  assert.ok(inside3 >= 95, `${inside3}/100 within 3 SE`);
  assert.ok(inside1 >= 55 && inside1 <= 80, `${inside1}/100 within 1 SE: the standard error is mis-sized`);
});

test('power iteration (PyHessian): largest-magnitude eigenvalues with deflation', () => {
  const d = [5, -9, 3, 1, 0.5, -0.2, 2];
  const r = powerIteration(operatorFromDiagonal(d), { key: key(6), k: 3, tol: 1e-12, maxIter: 2000 });
  assert.ok(maxRelErr(r.values, [-9, 5, 3]) < 1e-9, `${r.values}`);
  assert.equal(
    r.matvecs,
    r.iterations.reduce((a, b) => a + b, 0),
  );
  assert.throws(
    () => powerIteration(operatorFromDiagonal(d), { key: key(6), k: 8 }),
    /^Error: powerIteration: k = 8 is larger than the operator size \(parameter count\) 7/,
  );
});

test('bad input: a non-finite matvec during a probe names the routine and the probe', () => {
  let calls = 0;
  const op = operatorFromFunction(5, (v) => Float64Array.from(v, (x, i) => (i === 2 && ++calls === 3 ? Infinity : x * (i + 1))));
  assert.throws(
    () => hutchinsonTrace(op, { key: key(1), probes: 5 }),
    /^Error: hutchinsonTrace: the operator returned a non-finite value \(Infinity at index 2\) for probe 3/,
  );
  calls = 0;
  assert.throws(
    () => slqDensity(op, { key: key(1), probes: 2, steps: 4 }),
    /^Error: slqDensity: the operator returned a non-finite value \(Infinity at index 2\) at Lanczos step 3/,
  );
  calls = 0;
  assert.throws(
    () => powerIteration(op, { key: key(1), k: 1, tol: 0 }),
    /^Error: powerIteration: the operator returned a non-finite value \(Infinity at index 2\) at iteration 3/,
  );
  assert.deepEqual(sorted([3, 1, 2]), [1, 2, 3]);
});

test('hutchinson and power iteration: the same key gives byte-identical output, another key differs', () => {
  const op = randomSymmetric(40, 9);
  const bytes = (x: Float64Array): Buffer => Buffer.from(x.buffer, x.byteOffset, x.byteLength);
  const h = (s: number): Float64Array => hutchinsonTrace(op, { key: key(s), probes: 7 }).samples;
  assert.ok(bytes(h(1)).equals(bytes(h(1))));
  assert.ok(!bytes(h(1)).equals(bytes(h(2))));
  const p = (s: number): Float64Array => powerIteration(op, { key: key(s), k: 2, maxIter: 30 }).vectors[1]!;
  assert.ok(bytes(p(1)).equals(bytes(p(1))));
  assert.ok(!bytes(p(1)).equals(bytes(p(2))));
});
