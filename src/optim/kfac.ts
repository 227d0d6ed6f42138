/**
 * K-FAC preconditioning (Martens & Grosse 2015) for Linear layers, and KFC (Grosse & Martens
 * 2016) for Conv2d layers, from the layer statistics the trainer records when asked
 * (`needs: ['layerStats']`).
 *
 * Per tapped layer, with rows r = 1…M of "samples" (M = batch for a linear layer on [N, in];
 * M = N·T for a conv layer with T = OH·OW output positions, each position an extra sample):
 *   ā_r = layer input row (conv: the im2col patch), with a 1 appended when the layer has a bias;
 *   g_r = N·δ_r, where δ = ctx outputGrad = ∂(MEAN loss)/∂s, so g is the per-example gradient;
 *   A = (1/M)·Σ_r ā_r ā_rᵀ,      G = (1/N)·Σ_r g_r g_rᵀ.
 * For linear layers (M = N) these are E[āāᵀ] and E[ggᵀ]. For conv, A averages over positions and
 * G sums over them, so A ⊗ G = T·E_t[āāᵀ] ⊗ E_t[ggᵀ], the KFC approximation of the per-example
 * Fisher Σ_t Σ_t' E[ā_t ā_t'ᵀ ⊗ g_t g_t'ᵀ] under spatial homogeneity and uncorrelated derivatives.
 *
 * The factors are averaged across steps (EMA with `decay`; the first time a layer is seen its
 * factors are the batch estimate) and damped when inverted, every `inverseEvery` steps:
 *   A_d = A + π√λ·I,  G_d = G + (√λ/π)·I,  π = √((tr A / dim A)/(tr G / dim G))   (piDamping: true)
 *   A_d = A + √λ·I,   G_d = G + √λ·I                                             (piDamping: false)
 * (factored Tikhonov damping, Martens & Grosse §6.3). The inverses come from a Cholesky
 * factorisation and are kept in the state, so a resumed run reuses the same (possibly stale)
 * inverses as an uninterrupted one.
 *
 * The output replaces the gradient of each covered weight/bias with its preconditioned version:
 *   Linear, W stored [in, out]:   [W; bᵀ] ← A_d⁻¹·[∇W; ∇bᵀ]·G_d⁻¹       ((in+1) × out)
 *   Conv2d, W stored [O, C, kh, kw] flattened to [O, C·kh·kw]:
 *                                 [W | b] ← G_d⁻¹·[∇W | ∇b]·A_d⁻¹       (O × (C·kh·kw+1))
 * i.e. (A_d ⊗ G_d)⁻¹ applied to the gradient. Leaves not covered by any layer stat pass through
 * unchanged, so after scaleByLearningRate they take a plain SGD step.
 *
 * The gradients preconditioned are the incoming updates (ctx's grads, or whatever earlier chain
 * elements made of them); the factors come from the recorded stats, i.e. the *empirical* Fisher
 * of the training labels (the trainer does not sample targets from the model's predictive
 * distribution, as the paper's "true Fisher" K-FAC does).
 */
import { Tensor } from '../tensor/tensor.ts';
import { add, cast, concat, matmul, mul, reshape, slice } from '../tensor/ops.ts';
import { treeFlatten, type Tree } from '../tensor/tree.ts';
import { fmt, shapesEqual } from '../tensor/shape.ts';
import { kernels } from '../kernels/backend.ts';
import { patchGeometry } from '../kernels/kernels.ts';
import type { GradientTransformation, LayerStat } from './transform.ts';
import { checkDecay, checkNonNegative, checkPositiveInt } from './validate.ts';

export interface KfacOptions {
  /** Tikhonov damping λ (the factors get √λ-sized diagonal loading). Default 1e-3. */
  damping?: number;
  /** EMA decay of the Kronecker factors across steps, in [0, 1). Default 0.95. */
  decay?: number;
  /** Recompute the damped inverses every this many steps (and when a layer is first seen). Default 10. */
  inverseEvery?: number;
  /** Split the damping between the factors by π (Martens & Grosse §6.3). Default true. */
  piDamping?: boolean;
}

export interface KfacLayerState {
  /** EMA of the input factor, float64 [K, K] (K = fan-in + 1 with a bias). */
  A: Tensor;
  /** EMA of the output-gradient factor, float64 [out, out]. */
  G: Tensor;
  /** Damped inverses as of the last recomputation. */
  Ainv: Tensor;
  Ginv: Tensor;
}

export interface KfacState {
  /** Updates taken so far (drives the inverse schedule). */
  count: number;
  /** Per layer name (the keys of ctx.layerStats). */
  layers: Record<string, KfacLayerState>;
}

export function scaleByKfac(opts: KfacOptions = {}): GradientTransformation<KfacState> {
  const op = 'scaleByKfac';
  const damping = checkNonNegative(op, 'damping', opts.damping ?? 1e-3);
  const decay = checkDecay(op, 'decay', opts.decay ?? 0.95);
  const inverseEvery = checkPositiveInt(op, 'inverseEvery', opts.inverseEvery ?? 10);
  const piDamping = opts.piDamping ?? true;
  return {
    name: `scaleByKfac(damping=${damping}, decay=${decay}, inverseEvery=${inverseEvery}${piDamping ? '' : ', plain damping'})`,
    needs: ['layerStats'],
    init: () => ({ count: 0, layers: {} }),
    update(grads, state, ctx) {
      const stats = ctx?.layerStats;
      if (!stats) {
        throw new Error(
          `${op}: ctx.layerStats is missing; K-FAC declares needs: ['layerStats'], so run it through the trainer (which records them when asked) or pass layerStats in the update context`,
        );
      }
      const { leaves, paths, unflatten } = treeFlatten(grads);
      const index = new Map(paths.map((p, i) => [p, i]));
      const out = [...leaves];
      const layers: Record<string, KfacLayerState> = { ...state.layers };
      const refresh = state.count % inverseEvery === 0;
      for (const [name, stat] of stats) {
        const leafOf = (path: string | undefined, what: string): number => {
          const i = path === undefined ? undefined : index.get(path);
          if (i === undefined)
            throw new Error(
              `${op}: layer '${name}' ${what} path '${path}' is not a leaf of the gradient tree (leaves: ${paths.slice(0, 8).join(', ')}${paths.length > 8 ? ', …' : ''})`,
            );
          return i;
        };
        const wi = leafOf(stat.weightPath, 'weight');
        const bi = stat.kind.bias ? leafOf(stat.biasPath, 'bias') : undefined;
        const batch = layerFactors(name, stat, leaves[wi]!, bi === undefined ? undefined : leaves[bi]!);
        const prev = layers[name];
        if (prev && !shapesEqual(prev.A.shape, batch.A.shape)) {
          throw new Error(`${op}: layer '${name}' changed size: factor A was ${fmt(prev.A.shape)}, now ${fmt(batch.A.shape)}`);
        }
        const A = prev ? add(mul(prev.A, decay), mul(batch.A, 1 - decay)) : batch.A;
        const G = prev ? add(mul(prev.G, decay), mul(batch.G, 1 - decay)) : batch.G;
        const inv = refresh || !prev ? dampedInverses(A, G, damping, piDamping) : { Ainv: prev.Ainv, Ginv: prev.Ginv };
        layers[name] = { A, G, ...inv };
        const pre = precondition(stat, leaves[wi]!, bi === undefined ? undefined : leaves[bi]!, inv.Ainv, inv.Ginv);
        out[wi] = pre.w;
        if (bi !== undefined) out[bi] = pre.b!;
      }
      return [unflatten(out) as Tree, { count: state.count + 1, layers }];
    },
  };
}

/** Rows of ā (with the bias column) and of g = N·δ for one layer, as [M, K] and [M, O] float64 matrices. */
function layerRows(name: string, stat: LayerStat, w: Tensor, b: Tensor | undefined): { X: Tensor; D: Tensor; n: number } {
  const where = `scaleByKfac: layer '${name}'`;
  const { input: x, outputGrad: dy, kind } = stat;
  const n = dy.shape[0]!;
  if (x.shape[0] !== n) throw new Error(`${where}: input ${fmt(x.shape)} and outputGrad ${fmt(dy.shape)} disagree on the batch size`);
  if (kind.bias && !b) throw new Error(`${where}: the layer has a bias but no bias gradient was found`);
  let X: Float64Array;
  let D: Float64Array;
  let m: number;
  let k: number;
  let o: number;
  if (kind.type === 'linear') {
    if (x.rank < 2 || dy.rank !== x.rank) throw new Error(`${where}: linear input ${fmt(x.shape)} / outputGrad ${fmt(dy.shape)} must be [batch, …, features]`);
    k = x.shape[x.rank - 1]!;
    o = dy.shape[dy.rank - 1]!;
    if (!shapesEqual(w.shape, [k, o])) throw new Error(`${where}: weight ${fmt(w.shape)} should be [in, out] = [${k}, ${o}]`);
    m = x.size / k;
    X = Float64Array.from(x.data as ArrayLike<number>);
    D = Float64Array.from(dy.data as ArrayLike<number>);
  } else {
    if (x.rank !== 4 || dy.rank !== 4) throw new Error(`${where}: conv2d input ${fmt(x.shape)} / outputGrad ${fmt(dy.shape)} must be NCHW`);
    const [, c, h, wd] = x.shape as [number, number, number, number];
    const [kh, kw] = kind.kernel;
    o = dy.shape[1]!;
    if (!shapesEqual(w.shape, [o, c, kh, kw])) throw new Error(`${where}: weight ${fmt(w.shape)} should be [${o}, ${c}, ${kh}, ${kw}]`);
    const g = patchGeometry(n, c, h, wd, kh, kw, kind.stride[0], kind.stride[1], kind.padding[0], kind.padding[1], kind.dilation[0], kind.dilation[1]);
    const t = g.oh * g.ow;
    if (dy.shape[2] !== g.oh || dy.shape[3] !== g.ow)
      throw new Error(`${where}: outputGrad ${fmt(dy.shape)} does not match the conv geometry (${g.oh}×${g.ow} outputs)`);
    k = c * kh * kw;
    m = n * t;
    const cols = new Float64Array(n * k * t);
    kernels().im2col(x.dtype === 'float64' ? (x.data as Float64Array) : Float64Array.from(x.data as ArrayLike<number>), cols, g, 0);
    // [N, K, T] → rows (n, t) of length K; [N, O, T] → rows (n, t) of length O.
    X = new Float64Array(m * k);
    D = new Float64Array(m * o);
    for (let s = 0; s < n; s++) {
      for (let r = 0; r < k; r++) for (let p = 0; p < t; p++) X[(s * t + p) * k + r] = cols[(s * k + r) * t + p]!;
      for (let r = 0; r < o; r++) for (let p = 0; p < t; p++) D[(s * t + p) * o + r] = Number(dy.data[(s * o + r) * t + p]);
    }
  }
  if (kind.bias) {
    if (b!.size !== o) throw new Error(`${where}: bias ${fmt(b!.shape)} should have ${o} entries`);
    const Xb = new Float64Array(m * (k + 1));
    for (let r = 0; r < m; r++) {
      Xb.set(X.subarray(r * k, (r + 1) * k), r * (k + 1));
      Xb[r * (k + 1) + k] = 1;
    }
    X = Xb;
    k += 1;
  }
  return { X: new Tensor(X, [m, k]), D: new Tensor(D, [m, o]), n };
}

/** This batch's Kronecker factors A = ĀᵀĀ/M and G = N·δᵀδ (see the file comment for the scaling). */
export function layerFactors(name: string, stat: LayerStat, w: Tensor, b?: Tensor): { A: Tensor; G: Tensor } {
  const { X, D, n } = layerRows(name, stat, w, b);
  return { A: mul(matmul(X, X, { transA: true }), 1 / X.shape[0]!), G: mul(matmul(D, D, { transA: true }), n) };
}

function dampedInverses(A: Tensor, G: Tensor, damping: number, piDamping: boolean): { Ainv: Tensor; Ginv: Tensor } {
  const a = A.shape[0]!;
  const g = G.shape[0]!;
  const trace = (t: Tensor, d: number): number => {
    let s = 0;
    for (let i = 0; i < d; i++) s += t.data[i * d + i]!;
    return s / d;
  };
  let pi = 1;
  if (piDamping) {
    const ta = trace(A, a);
    const tg = trace(G, g);
    if (ta > 0 && tg > 0 && Number.isFinite(ta / tg)) pi = Math.sqrt(ta / tg);
  }
  const s = Math.sqrt(damping);
  return { Ainv: spdInverse(A, s * pi, 'A'), Ginv: spdInverse(G, s / pi, 'G') };
}

/** (M + δI)⁻¹ for symmetric positive semi-definite M, via Cholesky: (LLᵀ)⁻¹ = L⁻ᵀL⁻¹. */
function spdInverse(m: Tensor, shift: number, which: string): Tensor {
  const n = m.shape[0]!;
  const a = Float64Array.from(m.data as ArrayLike<number>);
  for (let i = 0; i < n; i++) a[i * n + i]! += shift;
  let l: Float64Array;
  try {
    l = kernels().cholesky(a, n);
  } catch (e) {
    throw new Error(`scaleByKfac: damped factor ${which} (${n}×${n}) is not positive definite; increase damping (${(e as Error).message})`);
  }
  const eye = new Float64Array(n * n);
  for (let i = 0; i < n; i++) eye[i * n + i] = 1;
  const linv = kernels().solveTriangular(l, eye, n, n, { lower: true, transpose: false });
  const inv = kernels().solveTriangular(l, linv, n, n, { lower: true, transpose: true });
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      const v = 0.5 * (inv[i * n + j]! + inv[j * n + i]!);
      inv[i * n + j] = v;
      inv[j * n + i] = v;
    }
  }
  return new Tensor(inv, [n, n]);
}

function precondition(stat: LayerStat, gw: Tensor, gb: Tensor | undefined, Ainv: Tensor, Ginv: Tensor): { w: Tensor; b?: Tensor } {
  const dtype = gw.dtype;
  const f64 = (t: Tensor): Tensor => (t.dtype === 'float64' ? t : cast(t, 'float64'));
  const back = (t: Tensor, shape: readonly number[]): Tensor => {
    const r = reshape(t, shape);
    return r.dtype === dtype ? r : cast(r, dtype);
  };
  if (stat.kind.type === 'linear') {
    const [k, o] = gw.shape as [number, number];
    const full = gb ? concat([f64(gw), reshape(f64(gb), [1, o])], 0) : f64(gw);
    const p = matmul(matmul(Ainv, full), Ginv);
    if (!gb) return { w: back(p, gw.shape) };
    return { w: back(slice(p, [0, 0], [k, o]), gw.shape), b: back(slice(p, [k, 0], [k + 1, o]), gb.shape) };
  }
  const o = gw.shape[0]!;
  const k = gw.size / o;
  const w2 = reshape(f64(gw), [o, k]);
  const full = gb ? concat([w2, reshape(f64(gb), [o, 1])], 1) : w2;
  const p = matmul(matmul(Ginv, full), Ainv);
  if (!gb) return { w: back(p, gw.shape) };
  return { w: back(slice(p, [0, 0], [o, k]), gw.shape), b: back(slice(p, [0, k], [o, k + 1]), gb.shape) };
}
