/**
 * eigh's derivatives at repeated eigenvalues: exact for losses that do not depend on the basis
 * inside a tied eigenspace, finite for the others (see tensor/linalg-rules.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor, tensor, eye, grad, jvp, hvp, linalg, matmul, mul, sum, slice, random, div } from '../index.ts';

const eigenSum = (a: Tensor): Tensor => sum(linalg.eigh(a).values);

/** Central differences of a scalar function along every coordinate. */
function fdGrad(f: (x: Tensor) => number, x: Tensor, h = 1e-5): Float64Array {
  const g = new Float64Array(x.size);
  for (let i = 0; i < x.size; i++) {
    const p = Float64Array.from(x.data),
      m = Float64Array.from(x.data);
    p[i]! += h;
    m[i]! -= h;
    g[i] = (f(new Tensor(p, x.shape)) - f(new Tensor(m, x.shape))) / (2 * h);
  }
  return g;
}

function assertClose(got: ArrayLike<number>, want: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(got.length, want.length, what);
  for (let i = 0; i < want.length; i++) {
    assert.ok(Math.abs(got[i]! - want[i]!) <= tol, `${what}[${i}]: ${got[i]} vs ${want[i]}`);
  }
}

test('grad of the eigenvalue sum at the identity (all eigenvalues equal) is the identity', () => {
  const g = grad(eigenSum)(eye(4));
  assert.deepEqual(Array.from(g.data), Array.from(eye(4).data));
  // Forward mode: d(Σλ) along T is trace(T), and the eigenvector tangents stay finite.
  const t = random.normal(random.key(1), [4, 4]);
  const { tangent } = jvp((a: Tensor) => linalg.eigh(a).vectors, eye(4), t);
  assert.ok(Array.from(tangent.data).every(Number.isFinite));
  const tr = [0, 5, 10, 15].reduce((s, i) => s + t.data[i]!, 0);
  assert.ok(Math.abs(jvp(eigenSum, eye(4), t).tangent.item() - tr) < 1e-12);
});

/** X 3×6 has rank 3: the 6×6 covariance XᵀX/3 has three (numerically) zero eigenvalues. */
const x = random.normal(random.key(7), [3, 6]);
/** With three zero columns the zero eigenvalues are exactly 0 (exact ties). */
const xExact = tensor(
  Float64Array.from(x.data, (a, i) => (i % 6 < 3 ? a : 0)),
  { shape: [3, 6] },
);
const topK =
  (k: number) =>
  (xs: Tensor): Tensor => {
    const cov = div(matmul(xs, xs, { transA: true }), 3);
    const { values } = linalg.eigh(cov);
    return sum(slice(values, [6 - k]));
  };

test('top-k eigenvalue sum of a rank-deficient covariance: finite gradient equal to finite differences', () => {
  for (const [k, x0] of [
    [1, x],
    [2, x],
    [2, xExact],
  ] as const) {
    const f = topK(k);
    const g = grad(f)(x0);
    assert.ok(Array.from(g.data).every(Number.isFinite), `k=${k}: finite`);
    assertClose(
      g.data as Float64Array,
      fdGrad((xs) => f(xs).item(), x0),
      1e-7,
      `k=${k} gradient`,
    );
    // Second order (forward over reverse) against differences of gradients.
    const v = random.normal(random.key(11 + k), [3, 6]);
    const hv = hvp(f, x0, v);
    const h = 1e-5;
    const gp = grad(f)(
      tensor(
        Float64Array.from(x0.data, (a, i) => a + h * v.data[i]!),
        { shape: [3, 6] },
      ),
    );
    const gm = grad(f)(
      tensor(
        Float64Array.from(x0.data, (a, i) => a - h * v.data[i]!),
        { shape: [3, 6] },
      ),
    );
    assertClose(
      hv.data as Float64Array,
      Float64Array.from(gp.data, (a, i) => (a - gm.data[i]!) / (2 * h)),
      1e-6,
      `k=${k} HVP`,
    );
  }
});

test('the covariance gradient of all eigenvalues (a trace) is exact with three tied zero eigenvalues', () => {
  const g = grad((xs: Tensor) => eigenSum(div(matmul(xs, xs, { transA: true }), 3)))(x);
  assertClose(
    g.data as Float64Array,
    Float64Array.from(x.data, (a) => (2 * a) / 3),
    1e-12,
    'd tr(XᵀX/3)/dX',
  );
});

test('an eigenvector loss at a tie has a finite gradient (no rotation within the tied eigenspace)', () => {
  const a = tensor([
    [2, 0, 0],
    [0, 2, 0],
    [0, 0, 5],
  ]);
  const w = tensor([
    [1, 2, 3],
    [4, 5, 6],
    [7, 8, 9],
  ]);
  const g = grad((m: Tensor) => sum(mul(linalg.eigh(m).vectors, w)))(a);
  assert.ok(Array.from(g.data).every(Number.isFinite));
  // Coupling between the tied pair (λ = 2) is dropped; coupling to λ = 5 remains.
  assert.equal(g.data[1], 0);
  assert.notEqual(g.data[2], 0);
});
