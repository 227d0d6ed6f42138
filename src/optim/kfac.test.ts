/**
 * K-FAC against dense references. The Kronecker-factored Fisher is built explicitly as a dense
 * matrix from factors computed by hand (plain JS loops: forward pass, backprop, im2col patches),
 * damped the same way, inverted by Gauss–Jordan, and applied to the hand-computed gradient; the
 * transformation gets its layer stats through the tap/probe route (test-helpers.ts), exactly as
 * the trainer records them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor } from '../tensor/tensor.ts';
import { add, conv2d, matmul, mul, reshape, square, sub, sum, tanh } from '../tensor/ops.ts';
import { treeFlatten, type Tree } from '../tensor/tree.ts';
import type { TapKind } from '../nn/layer.ts';
import { kfac, scaleByKfac, type KfacState } from './index.ts';
import { denseInverse, gradsWithStats, type TappedLoss } from '../../test/support/test-helpers.ts';

/** Deterministic "random" values without a PRNG, so the reference is independent of it. */
const vals = (n: number, seed: number, scale = 1): Float64Array =>
  Float64Array.from({ length: n }, (_, i) => scale * Math.sin(1.37 * i + seed) * Math.cos(0.61 * i * seed + 0.3));
const T = (data: Float64Array, shape: number[]): Tensor => new Tensor(data, shape);

type Mat = number[][];
const zerosM = (r: number, c: number): Mat => Array.from({ length: r }, () => new Array<number>(c).fill(0));
const kron = (a: Mat, b: Mat): Mat => {
  const out = zerosM(a.length * b.length, a.length * b.length);
  for (let i = 0; i < a.length; i++)
    for (let j = 0; j < b.length; j++)
      for (let k = 0; k < a.length; k++) for (let l = 0; l < b.length; l++) out[i * b.length + j]![k * b.length + l] = a[i]![k]! * b[j]![l]!;
  return out;
};
const blockDiag = (blocks: Mat[]): Mat => {
  const n = blocks.reduce((s, b) => s + b.length, 0);
  const out = zerosM(n, n);
  let o = 0;
  for (const b of blocks) {
    b.forEach((row, i) => row.forEach((v, j) => (out[o + i]![o + j] = v)));
    o += b.length;
  }
  return out;
};
/** (1/m)·Σ_r x_r x_rᵀ · scale over rows. */
const moment = (rows: number[][], scale: number): Mat => {
  const d = rows[0]!.length;
  const out = zerosM(d, d);
  for (const r of rows) for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) out[i]![j]! += r[i]! * r[j]! * scale;
  return out;
};
const damp = (A: Mat, G: Mat, lambda: number, pi: boolean): [Mat, Mat] => {
  const tr = (m: Mat): number => m.reduce((s, r, i) => s + r[i]!, 0) / m.length;
  const p = pi ? Math.sqrt(tr(A) / tr(G)) : 1;
  const s = Math.sqrt(lambda);
  return [A.map((r, i) => r.map((v, j) => v + (i === j ? s * p : 0))), G.map((r, i) => r.map((v, j) => v + (i === j ? s / p : 0)))];
};
const solve = (F: Mat, g: number[]): number[] => {
  const n = F.length;
  const inv = denseInverse(F.flat(), n);
  return Array.from({ length: n }, (_, i) => g.reduce((s, v, j) => s + inv[i * n + j]! * v, 0));
};
const flatUpdate = (u: Tree, paths: string[]): number[] => {
  const { leaves, paths: ps } = treeFlatten(u);
  return paths.flatMap((p) => [...leaves[ps.indexOf(p)]!.data]);
};
function assertClose(actual: number[], expected: number[], tol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  const scale = Math.max(1, ...expected.map(Math.abs));
  actual.forEach((v, i) => assert.ok(Math.abs(v - expected[i]!) <= tol * scale, `${what}[${i}]: ${v} vs ${expected[i]} (scale ${scale})`));
}

// ---- 3-4-2 MLP with bias, tanh, batch 5, loss mean_n ½‖s₂ − y‖² ----
const N = 5;
const X = vals(N * 3, 1);
type Mlp = { l1: { w: Tensor; b: Tensor }; l2: { w: Tensor; b: Tensor } };
const mlpParams = (): Mlp => ({
  l1: { w: T(vals(12, 2, 0.8), [3, 4]), b: T(vals(4, 3, 0.3), [4]) },
  l2: { w: T(vals(8, 4, 0.8), [4, 2]), b: T(vals(2, 5, 0.3), [2]) },
});
const LIN: TapKind = { type: 'linear', bias: true };
const mlpLoss =
  (Y: Float64Array): TappedLoss<Mlp> =>
  (p, tap) => {
    const lin = (name: string, x: Tensor, w: Tensor, b: Tensor): Tensor => {
      const pre = add(matmul(x, w), b);
      return tap ? tap({ name, kind: LIN, input: x, preActivation: pre, weight: w, bias: b }) : pre;
    };
    const s2 = lin('l2', tanh(lin('l1', T(X, [N, 3]), p.l1.w, p.l1.b)), p.l2.w, p.l2.b);
    return mul(sum(square(sub(s2, T(Y, [N, 2])))), 0.5 / N);
  };

/** Hand forward/backward: factors of both layers and the gradient in [W̄₁; W̄₂] row-major order. */
function mlpReference(p: Mlp, Y: Float64Array): { A: Mat[]; G: Mat[]; grad: number[] } {
  const get = (t: Tensor, r: number, c: number, cols: number): number => t.data[r * cols + c]!;
  const x = Array.from({ length: N }, (_, n) => [0, 1, 2].map((i) => X[n * 3 + i]!));
  const h = x.map((xn) => [0, 1, 2, 3].map((j) => Math.tanh(xn.reduce((s, v, i) => s + v * get(p.l1.w, i, j, 4), p.l1.b.data[j]!))));
  const s2 = h.map((hn) => [0, 1].map((j) => hn.reduce((s, v, i) => s + v * get(p.l2.w, i, j, 2), p.l2.b.data[j]!)));
  const d2 = s2.map((sn, n) => sn.map((v, j) => (v - Y[n * 2 + j]!) / N));
  const d1 = h.map((hn, n) => hn.map((hv, i) => (1 - hv * hv) * d2[n]!.reduce((s, dv, j) => s + dv * get(p.l2.w, i, j, 2), 0)));
  const gradOf = (a: number[][], d: number[][]): number[] => {
    const ab = a.map((r) => [...r, 1]);
    const out: number[] = [];
    for (let i = 0; i < ab[0]!.length; i++) for (let j = 0; j < d[0]!.length; j++) out.push(ab.reduce((s, r, n) => s + r[i]! * d[n]![j]!, 0));
    return out;
  };
  return {
    A: [
      moment(
        x.map((r) => [...r, 1]),
        1 / N,
      ),
      moment(
        h.map((r) => [...r, 1]),
        1 / N,
      ),
    ],
    G: [
      moment(
        d1.map((r) => r.map((v) => N * v)),
        1 / N,
      ),
      moment(
        d2.map((r) => r.map((v) => N * v)),
        1 / N,
      ),
    ],
    grad: [...gradOf(x, d1), ...gradOf(h, d2)],
  };
}
const MLP_PATHS = ['l1.w', 'l1.b', 'l2.w', 'l2.b'];

for (const pi of [true, false]) {
  test(`kfac: MLP 3-4-2 update equals the dense damped (A⊗G)⁻¹ reference (${pi ? 'π' : 'plain'} damping)`, () => {
    const Y = vals(N * 2, 6);
    const params = mlpParams();
    const { grads, layerStats } = gradsWithStats(mlpLoss(Y), params);
    const ref = mlpReference(params, Y);
    assertClose(flatUpdate(grads, MLP_PATHS), ref.grad, 1e-12, 'autodiff gradient vs hand backprop');
    const lr = 0.3;
    const lambda = 1e-2;
    const t = kfac(lr, { damping: lambda, piDamping: pi });
    const [u] = t.update(grads, t.init(params), { params, step: 0, layerStats });
    const blocks = ref.A.map((A, l) => {
      const [Ad, Gd] = damp(A, ref.G[l]!, lambda, pi);
      return kron(Ad, Gd);
    });
    const expected = solve(blockDiag(blocks), ref.grad).map((v) => -lr * v);
    assertClose(flatUpdate(u, MLP_PATHS), expected, 1e-10, 'K-FAC update');
  });
}

test('kfac: factor EMA across steps, stale inverses between refreshes, fresh ones on a refresh step', () => {
  const params = mlpParams();
  const Ya = vals(N * 2, 6);
  const Yb = vals(N * 2, 9);
  const a = gradsWithStats(mlpLoss(Ya), params);
  const b = gradsWithStats(mlpLoss(Yb), params);
  const ra = mlpReference(params, Ya);
  const rb = mlpReference(params, Yb);
  const decay = 0.8;
  const lambda = 1e-2;
  for (const inverseEvery of [1, 2]) {
    const t = scaleByKfac({ damping: lambda, decay, inverseEvery });
    const [, s1] = t.update(a.grads, t.init(params), { params, step: 0, layerStats: a.layerStats });
    const [u2, s2] = t.update(b.grads, s1, { params, step: 1, layerStats: b.layerStats });
    const st = s2 as KfacState;
    const mix = (x: Mat, y: Mat): Mat => x.map((r, i) => r.map((v, j) => decay * v + (1 - decay) * y[i]![j]!));
    const A = ra.A.map((m, l) => mix(m, rb.A[l]!));
    const G = ra.G.map((m, l) => mix(m, rb.G[l]!));
    assertClose([...st.layers['l1']!.A.data], A[0]!.flat(), 1e-12, 'EMA of A');
    assertClose([...st.layers['l2']!.G.data], G[1]!.flat(), 1e-12, 'EMA of G');
    // Inverse built from the EMA factors (refresh) or still from step 0's batch factors (stale).
    const src = inverseEvery === 1 ? { A, G } : { A: ra.A, G: ra.G };
    const blocks = src.A.map((Am, l) => kron(...damp(Am, src.G[l]!, lambda, true)));
    assertClose(flatUpdate(u2, MLP_PATHS), solve(blockDiag(blocks), rb.grad), 1e-10, `preconditioned step-1 gradient (inverseEvery ${inverseEvery})`);
  }
});

// ---- Conv2d (KFC): x [2, 2, 4, 4], 3 filters 2×2, bias; loss mean_n ½‖s − y‖² ----
const CONV_CASES = [
  { stride: [1, 1], padding: [1, 1], dilation: [1, 1] },
  { stride: [2, 1], padding: [1, 0], dilation: [1, 2] },
] as const;

for (const geo of CONV_CASES) {
  test(`kfac: conv2d (KFC) update equals the dense damped (G⊗A)⁻¹ reference (stride ${geo.stride}, padding ${geo.padding}, dilation ${geo.dilation})`, () => {
    const [n, c, h, w, o, kh, kw] = [2, 2, 4, 4, 3, 2, 2];
    const [sh, sw] = geo.stride;
    const [ph, pw] = geo.padding;
    const [dh, dw] = geo.dilation;
    const oh = Math.floor((h + 2 * ph - dh * (kh - 1) - 1) / sh) + 1;
    const ow = Math.floor((w + 2 * pw - dw * (kw - 1) - 1) / sw) + 1;
    const t = oh * ow;
    const k = c * kh * kw;
    const x = vals(n * c * h * w, 11);
    const params = { conv: { w: T(vals(o * k, 12, 0.5), [o, c, kh, kw]), b: T(vals(o, 13, 0.2), [o]) } };
    const Y = vals(n * o * t, 14);
    const kind: TapKind = { type: 'conv2d', bias: true, kernel: [kh, kw], stride: [sh, sw], padding: [ph, pw], dilation: [dh, dw] };
    const loss: TappedLoss<typeof params> = (p, tap) => {
      const xt = T(x, [n, c, h, w]);
      let s = add(conv2d(xt, p.conv.w, { stride: [sh, sw], padding: [ph, pw], dilation: [dh, dw] }), reshape(p.conv.b, [1, o, 1, 1]));
      if (tap) s = tap({ name: 'conv', kind, input: xt, preActivation: s, weight: p.conv.w, bias: p.conv.b });
      return mul(sum(square(sub(s, T(Y, [n, o, oh, ow])))), 0.5 / n);
    };
    const { grads, layerStats } = gradsWithStats(loss, params);

    // Hand reference: patches ā_(n,t) (with the bias 1), pre-activations, δ = (s − y)/N.
    const patch = (ni: number, oy: number, ox: number): number[] => {
      const out: number[] = [];
      for (let ci = 0; ci < c; ci++)
        for (let i = 0; i < kh; i++)
          for (let j = 0; j < kw; j++) {
            const iy = oy * sh - ph + i * dh;
            const ix = ox * sw - pw + j * dw;
            out.push(iy >= 0 && iy < h && ix >= 0 && ix < w ? x[((ni * c + ci) * h + iy) * w + ix]! : 0);
          }
      return [...out, 1];
    };
    const rowsA: number[][] = [];
    const rowsG: number[][] = [];
    const grad = new Array<number>(o * (k + 1)).fill(0);
    for (let ni = 0; ni < n; ni++)
      for (let oy = 0; oy < oh; oy++)
        for (let ox = 0; ox < ow; ox++) {
          const a = patch(ni, oy, ox);
          const d = Array.from({ length: o }, (_, oi) => {
            const s = a.reduce((acc, v, ki) => acc + v * (ki < k ? params.conv.w.data[oi * k + ki]! : params.conv.b.data[oi]!), 0);
            return (s - Y[(ni * o + oi) * t + oy * ow + ox]!) / n;
          });
          rowsA.push(a);
          rowsG.push(d.map((v) => n * v));
          for (let oi = 0; oi < o; oi++) for (let ki = 0; ki <= k; ki++) grad[oi * (k + 1) + ki]! += d[oi]! * a[ki]!;
        }
    // Autodiff gradient, in [W | b] row-major order, agrees with the hand one.
    const gw = [...grads.conv.w.data];
    const gb = [...grads.conv.b.data];
    assertClose(Array.from({ length: o }, (_, oi) => [...gw.slice(oi * k, (oi + 1) * k), gb[oi]!]).flat(), grad, 1e-12, 'conv gradient');

    const A = moment(rowsA, 1 / (n * t));
    const G = moment(rowsG, 1 / n);
    const lambda = 1e-2;
    const lr = 0.5;
    const [Ad, Gd] = damp(A, G, lambda, true);
    const expected = solve(kron(Gd, Ad), grad).map((v) => -lr * v);
    const tr = kfac(lr, { damping: lambda });
    const [u] = tr.update(grads, tr.init(params), { params, step: 0, layerStats });
    const uw = [...(u as typeof params).conv.w.data];
    const ub = [...(u as typeof params).conv.b.data];
    const actual = Array.from({ length: o }, (_, oi) => [...uw.slice(oi * k, (oi + 1) * k), ub[oi]!]).flat();
    assertClose(actual, expected, 1e-10, 'KFC update');
  });
}

test('kfac: leaves not covered by a layer stat take the plain gradient direction (−lr·g)', () => {
  const params = { ...mlpParams(), extra: T(Float64Array.from([1, 2]), [2]) };
  const Y = vals(N * 2, 6);
  const base = mlpLoss(Y);
  const loss: TappedLoss<typeof params> = (p, tap) => add(base(p, tap), mul(sum(square(p.extra)), 0.5));
  const { grads, layerStats } = gradsWithStats(loss, params);
  const t = kfac(0.1);
  const [u] = t.update(grads, t.init(params), { params, step: 0, layerStats });
  assert.deepEqual([...(u as typeof params).extra.data], [-0.1 * 1, -0.1 * 2]);
});
