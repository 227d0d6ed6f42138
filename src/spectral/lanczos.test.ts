import { test } from 'node:test';
import assert from 'node:assert/strict';
import { key, normal } from '../tensor/prng.ts';
import { lanczos } from './lanczos.ts';
import { denseSpectrum } from './dense.ts';
import { operatorFromDiagonal, operatorFromFunction } from './operator.ts';
import { maxRelErr, randomSymmetric, sorted } from './test-util.ts';

const top = (xs: number[], k: number): number[] => sorted(xs).reverse().slice(0, k);
const bottom = (xs: number[], k: number): number[] => sorted(xs).slice(0, k);

test('lanczos: both ends of a diagonal spectrum to 1e-10, residuals below tol', () => {
  const d = Array.from(normal(key(7), 300)).map((x, i) => x * (1 + i / 30));
  const r = lanczos(operatorFromDiagonal(d), { key: key(1), largest: 5, smallest: 4, tol: 1e-10 });
  assert.ok(r.converged);
  assert.ok(maxRelErr(r.largest.values, top(d, 5)) < 1e-10, `${r.largest.values} vs ${top(d, 5)}`);
  assert.ok(maxRelErr(r.smallest.values, bottom(d, 4)) < 1e-10);
  for (const x of [...r.largest.residuals, ...r.smallest.residuals]) assert.ok(x <= 1e-10 * r.normEstimate);
  assert.ok(r.iterations < 300, `took the whole space (${r.iterations})`);
});

test('lanczos: an all-negative spectrum: the most negative eigenvalues come out of `smallest`', () => {
  const d = Array.from({ length: 120 }, (_, i) => -1 - (i * i) / 100);
  const r = lanczos(operatorFromDiagonal(d), { key: key(2), smallest: 3 });
  assert.ok(r.converged);
  assert.ok(maxRelErr(r.smallest.values, bottom(d, 3)) < 1e-9);
});

test('lanczos: clustered eigenvalues (gaps 1e-4 within a cluster) are resolved', () => {
  const d = [...Array.from({ length: 6 }, (_, i) => 10 + 1e-4 * i), ...Array.from({ length: 194 }, (_, i) => Math.sin(i) * 3)];
  const r = lanczos(operatorFromDiagonal(d), { key: key(3), largest: 6, tol: 1e-12 });
  assert.ok(r.converged);
  assert.ok(maxRelErr(r.largest.values, top(d, 6)) < 1e-10, `${r.largest.values}`);
});

test('lanczos: repeated eigenvalues are found with their multiplicity (breakdown → restart)', () => {
  // Few distinct values: the Krylov space of one start vector (one direction per eigenspace)
  // becomes invariant before the top 6 converge; the restart then finds the other copies.
  const d = [...Array(5).fill(4), ...Array(3).fill(-3), 0.5, 0.25, 0, 1];
  const r = lanczos(operatorFromDiagonal(d), { key: key(4), largest: 6, smallest: 3, vectors: true });
  assert.ok(r.breakdowns >= 1, 'a Krylov space of a matrix with repeated eigenvalues must become invariant');
  assert.ok(maxRelErr(r.largest.values, top(d, 6)) < 1e-12, `${r.largest.values}`);
  assert.ok(maxRelErr(r.smallest.values, [-3, -3, -3]) < 1e-12);
  for (const x of r.largest.vectorResiduals!) assert.ok(x < 1e-12 && Number.isFinite(x));
});

test('lanczos: a start vector in an invariant subspace breaks down at once and is handled (no division by zero)', () => {
  const d = [3, 2, 1, 0, -1];
  const start = Float64Array.from([1, 0, 0, 0, 0]);
  const r = lanczos(operatorFromDiagonal(d), { key: key(5), largest: 2, smallest: 2, start });
  assert.ok(r.breakdowns >= 1);
  assert.ok(maxRelErr(r.largest.values, [3, 2]) < 1e-14);
  assert.ok(maxRelErr(r.smallest.values, [-1, 0], 1) < 1e-14);
  // Without restarts the zero operator is invariant everywhere: every pair is exact, nothing is NaN.
  const z = lanczos(operatorFromDiagonal([0, 0, 0]), { key: key(5), largest: 3 });
  assert.deepEqual(Array.from(z.largest.values), [0, 0, 0]);
  assert.ok(z.largest.residuals.every((x) => x === 0));
});

test('lanczos: k = n returns the whole spectrum; k > n is refused naming the routine', () => {
  const d = [2, -1, 0.5];
  const r = lanczos(operatorFromDiagonal(d), { key: key(6), largest: 3 });
  assert.ok(maxRelErr(r.largest.values, [2, 0.5, -1]) < 1e-14);
  assert.throws(
    () => lanczos(operatorFromDiagonal(d), { key: key(6), largest: 4 }),
    /^Error: lanczos: largest = 4 is larger than the operator size \(parameter count\) 3/,
  );
  assert.throws(() => lanczos(operatorFromDiagonal(d), { key: key(6), smallest: 5 }), /lanczos: smallest = 5 is larger/);
});

test('lanczos: matches dense eigh on a random symmetric matrix to 1e-10', () => {
  const op = randomSymmetric(80, 11);
  const exact = Array.from(denseSpectrum(op).values);
  const r = lanczos(op, { key: key(8), largest: 5, smallest: 5, tol: 1e-12 });
  assert.ok(maxRelErr(r.largest.values, top(exact, 5)) < 1e-10);
  assert.ok(maxRelErr(r.smallest.values, bottom(exact, 5)) < 1e-10);
});

test('lanczos: the same key gives byte-identical output; another key another start', () => {
  const op = randomSymmetric(60, 12);
  const a = lanczos(op, { key: key(9), largest: 3, tol: 1e-4, vectors: true });
  const b = lanczos(op, { key: key(9), largest: 3, tol: 1e-4, vectors: true });
  const c = lanczos(op, { key: key(10), largest: 3, tol: 1e-4 });
  const bytes = (x: Float64Array): Buffer => Buffer.from(x.buffer, x.byteOffset, x.byteLength);
  assert.ok(bytes(a.largest.values).equals(bytes(b.largest.values)));
  assert.ok(bytes(a.largest.vectors![0]!).equals(bytes(b.largest.vectors![0]!)));
  assert.ok(!bytes(a.largest.residuals).equals(bytes(c.largest.residuals)));
});

test('lanczos: bad input — zero start, non-finite matvec, non-symmetric operator, missing key', () => {
  const op = operatorFromDiagonal([1, 2, 3, 4]);
  assert.throws(() => lanczos(op, { key: key(1), largest: 1, start: new Float64Array(4) }), /^Error: lanczos: the start vector is zero/);
  let calls = 0;
  const nan = operatorFromFunction(4, (v) => (++calls === 2 ? Float64Array.from(v, () => NaN) : Float64Array.from(v)));
  assert.throws(
    () => lanczos(nan, { key: key(1), largest: 1 }),
    /^Error: lanczos: the operator returned a non-finite value \(NaN at index 0\) at Lanczos step 2/,
  );
  const skew = operatorFromFunction(3, (v) => Float64Array.from([v[0]! + 2 * v[1]!, v[1]!, v[2]!]));
  assert.throws(() => lanczos(skew, { key: key(1), largest: 1, checkSymmetric: true }), /^Error: lanczos: the operator is not symmetric/);
  assert.doesNotThrow(() => lanczos(op, { key: key(1), largest: 1, checkSymmetric: true }));
  assert.throws(() => lanczos(op, {} as never), /lanczos: options.key is required/);
});
