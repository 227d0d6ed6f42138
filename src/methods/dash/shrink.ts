/**
 * DASH's shrink step (official `perform_dash`): for every weight slice W_k and the matching slice
 * G_k of the negative-gradient EMA, s_k = clamp(cos(W_k, G_k), λ, 1) and W_k ← s_k·W_k. Slices:
 * one output unit of a linear layer (a column of our w [in, out]; a row of PyTorch's [out, in]),
 * one (o, c) kernel slice of a conv weight [O, C, kh, kw], and the whole bias vector (one scalar).
 * cos(a, b) = a·b / (max(‖a‖, ε)·max(‖b‖, ε)), ε = 1e-8 (PyTorch's cosine_similarity): a zero
 * slice has cos 0 and is scaled by λ. Leaves that are not sites (BatchNorm) are returned as is.
 */
import { Tensor } from '../../tensor/tensor.ts';
import { treeFlatten, type Tree } from '../../tensor/tree.ts';
import type { WeightSite } from './sites.ts';

const EPS = 1e-8;

export function checkLambda(lambda: number, what = 'DASH'): void {
  if (!(typeof lambda === 'number' && lambda > 0 && lambda <= 1)) throw new Error(`${what}: λ (lambda) must be in (0, 1], got ${String(lambda)}`);
}

/** The scale of one slice: elements base + i·stride, i < len. */
function sliceScale(w: ArrayLike<number>, g: ArrayLike<number>, base: number, stride: number, len: number, lambda: number, upper = 1): number {
  let dot = 0;
  let ww = 0;
  let gg = 0;
  for (let i = 0, k = base; i < len; i++, k += stride) {
    dot += w[k]! * g[k]!;
    ww += w[k]! * w[k]!;
    gg += g[k]! * g[k]!;
  }
  const cos = dot / (Math.max(Math.sqrt(ww), EPS) * Math.max(Math.sqrt(gg), EPS));
  return Math.min(upper, Math.max(lambda, cos));
}

/** Slices of a site leaf as (base, stride, len) triples. */
function slices(type: 'weight-linear' | 'weight-conv2d' | 'bias', shape: readonly number[]): [number, number, number][] {
  if (type === 'bias') return [[0, 1, shape.reduce((a, b) => a * b, 1)]];
  if (type === 'weight-linear') {
    const [nIn, nOut] = shape as [number, number];
    return Array.from({ length: nOut }, (_, o) => [o, nOut, nIn] as [number, number, number]);
  }
  const [o, c, kh, kw] = shape as [number, number, number, number];
  return Array.from({ length: o * c }, (_, s) => [s * kh * kw, 1, kh * kw] as [number, number, number]);
}

export interface ShrinkResult<P extends Tree> {
  params: P;
  /** Every slice's scale, by leaf path in slice order (units, kernel slices, one per bias). */
  scales: Record<string, number[]>;
}

/** The unclamped cosine of every slice (the optional probe: weights against the negative test gradient). */
export function sliceCosines<P extends Tree>(params: P, negGrad: P, sites: readonly WeightSite[]): number[] {
  const leaves = treeFlatten(params).leaves;
  const gLeaves = treeFlatten(negGrad).leaves;
  const out: number[] = [];
  const leaf = (i: number, type: 'weight-linear' | 'weight-conv2d' | 'bias'): void => {
    for (const [base, stride, len] of slices(type, leaves[i]!.shape)) {
      out.push(sliceScale(leaves[i]!.data as ArrayLike<number>, gLeaves[i]!.data as ArrayLike<number>, base, stride, len, -Infinity, Infinity));
    }
  };
  for (const site of sites) {
    leaf(site.weightLeaf, site.type === 'linear' ? 'weight-linear' : 'weight-conv2d');
    if (site.biasLeaf !== undefined) leaf(site.biasLeaf, 'bias');
  }
  return out;
}

/** Shrinks the site leaves of `params` by their cosine with `negGrad` (same tree structure). */
export function dashShrink<P extends Tree>(params: P, negGrad: P, sites: readonly WeightSite[], lambda: number): ShrinkResult<P> {
  checkLambda(lambda);
  const { leaves, paths, unflatten } = treeFlatten(params);
  const gLeaves = treeFlatten(negGrad).leaves;
  if (gLeaves.length !== leaves.length) throw new Error(`dashShrink: the gradient tree has ${gLeaves.length} leaves, the params ${leaves.length}`);
  const out = [...leaves];
  const scales: Record<string, number[]> = {};
  const shrinkLeaf = (i: number, type: 'weight-linear' | 'weight-conv2d' | 'bias'): void => {
    const w = leaves[i]!;
    const g = gLeaves[i]!;
    if (g.size !== w.size) throw new Error(`dashShrink: gradient of ${paths[i]} has ${g.size} elements, the weight ${w.size}`);
    const data = w.data.slice() as Float64Array;
    const s: number[] = [];
    for (const [base, stride, len] of slices(type, w.shape)) {
      const k = sliceScale(w.data as ArrayLike<number>, g.data as ArrayLike<number>, base, stride, len, lambda);
      for (let j = 0, idx = base; j < len; j++, idx += stride) data[idx] = data[idx]! * k;
      s.push(k);
    }
    out[i] = new Tensor(data, w.shape, w.dtype);
    scales[paths[i]!] = s;
  };
  for (const site of sites) {
    shrinkLeaf(site.weightLeaf, site.type === 'linear' ? 'weight-linear' : 'weight-conv2d');
    if (site.biasLeaf !== undefined) shrinkLeaf(site.biasLeaf, 'bias');
  }
  return { params: unflatten(out), scales };
}
