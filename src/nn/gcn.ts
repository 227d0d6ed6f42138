/**
 * Graph convolution (Kipf & Welling 2017): H' = Â·X·W + b with the dense symmetrically
 * normalized adjacency Â = D^{-1/2}(A + I)D^{-1/2}, X [nodes, in], W [in, out], b [out].
 *
 * Signature: the graph is not a per-call input of the Layer contract, so
 * - `gcnLayer({ ..., adjacency: Â })` binds a (normalized) graph in a closure and `apply(params, x)`
 *   uses it — the transductive setting (one fixed graph), composable in `sequential`;
 * - `layer.propagate(params, x, Â, ctx)` takes the graph explicitly (several graphs);
 * - `layer.withAdjacency(Â)` returns the same layer (same name, same params) bound to another graph.
 * Pass Â already normalized (`normalizeAdjacency(a)` once, not every step).
 *
 * Taps: with ctx.tap the layer is a linear layer on the aggregated features ÂX (kind 'linear',
 * input ÂX, pre-activation ÂX·W + b), which is exactly what K-FAC needs. Without a tap it
 * computes Â(XW) when out < in (much cheaper for wide sparse-feature inputs), else (ÂX)W.
 * Default init: Glorot uniform weights and zero bias (Kipf & Welling, PyG's GCNConv).
 */
import { Tensor, eye } from '../tensor/tensor.ts';
import { add, div, matmul, mul, reshape, sqrt, sum } from '../tensor/ops.ts';
import { isFloat, type FloatDType } from '../tensor/dtype.ts';
import { fmt } from '../tensor/shape.ts';
import * as random from '../tensor/random.ts';
import type { Key } from '../tensor/prng.ts';
import { EVAL, type ApplyCtx, type Layer } from './layer.ts';
import { xavierUniform, zeros, type Initializer } from './init.ts';
import type { LinearParams } from './linear.ts';
import { checkFloatDType, checkInput, checkName, checkParam, checkPositiveInt, checkSameDType, layerError } from './util.ts';

/**
 * Â = D^{-1/2}(A + I)D^{-1/2} for a dense adjacency A [n, n] (weights allowed), D = diag of the
 * row sums of A + I. With `selfLoops: false`, Â = D^{-1/2} A D^{-1/2}. Differentiable in A.
 */
export function normalizeAdjacency(a: Tensor, opts: { selfLoops?: boolean } = {}): Tensor {
  if (!(a instanceof Tensor)) throw new Error('normalizeAdjacency: expected a Tensor');
  if (a.rank !== 2 || a.shape[0] !== a.shape[1]) throw new Error(`normalizeAdjacency: expected a square adjacency [n, n], got ${fmt(a.shape)}`);
  if (!isFloat(a.dtype)) throw new Error(`normalizeAdjacency: expected a float adjacency, got ${a.dtype}`);
  const n = a.shape[0]!;
  const withLoops = (opts.selfLoops ?? true) ? add(a, eye(n, a.dtype)) : a;
  const deg = sum(withLoops, 1);
  for (let i = 0; i < n; i++) {
    if (!(deg.data[i]! > 0))
      throw new Error(`normalizeAdjacency: node ${i} has degree ${deg.data[i]} (need > 0; negative weights or an isolated node without self-loops)`);
  }
  const dInvSqrt = div(1, sqrt(deg));
  return mul(mul(withLoops, reshape(dInvSqrt, [n, 1])), reshape(dInvSqrt, [1, n]));
}

export interface GcnOptions {
  name?: string;
  in: number;
  out: number;
  bias?: boolean;
  /** The normalized adjacency Â [nodes, nodes] used by `apply` (optional; see `propagate`). */
  adjacency?: Tensor;
  init?: Initializer;
  biasInit?: Initializer;
  dtype?: FloatDType;
}

export type GcnLayer = Layer<LinearParams> & {
  readonly in: number;
  readonly out: number;
  readonly bias: boolean;
  readonly adjacency: Tensor | undefined;
  /** Â·X·W + b with an explicit normalized adjacency. */
  propagate(params: LinearParams, x: Tensor, aHat: Tensor, ctx?: ApplyCtx): Tensor;
  /** The same layer bound to another graph. */
  withAdjacency(aHat: Tensor): GcnLayer;
};

export function gcnLayer(opts: GcnOptions): GcnLayer {
  const K = 'gcn';
  const name = checkName(K, opts.name ?? 'gcn');
  const nIn = checkPositiveInt(K, name, 'in', opts.in);
  const nOut = checkPositiveInt(K, name, 'out', opts.out);
  const bias = opts.bias ?? true;
  const dtype = checkFloatDType(K, name, opts.dtype);
  const wInit = opts.init ?? xavierUniform;
  const bInit = opts.biasInit ?? zeros;

  const propagate = (params: LinearParams, x: Tensor, aHat: Tensor, ctx: ApplyCtx = EVAL): Tensor => {
    checkInput(K, name, x, 2, `[nodes, ${nIn}]`);
    if (x.shape[1] !== nIn) throw layerError(K, name, `expected node features [nodes, ${nIn}], got ${fmt(x.shape)}`);
    if (!(aHat instanceof Tensor) || aHat.rank !== 2 || aHat.shape[0] !== x.shape[0] || aHat.shape[1] !== x.shape[0]) {
      throw layerError(
        K,
        name,
        `adjacency must be [${x.shape[0]}, ${x.shape[0]}] for ${x.shape[0]} nodes, got ${aHat instanceof Tensor ? fmt(aHat.shape) : String(aHat)}`,
      );
    }
    const w = checkParam(K, name, params, 'w', [nIn, nOut]);
    checkSameDType(K, name, x, w);
    if (aHat.dtype !== x.dtype) throw layerError(K, name, `adjacency dtype ${aHat.dtype} does not match the features' ${x.dtype}`);
    const b = bias ? checkParam(K, name, params, 'b', [nOut]) : undefined;
    const withBias = (t: Tensor): Tensor => (b ? add(t, b) : t);
    if (ctx.tap) {
      const agg = matmul(aHat, x);
      return ctx.tap({ name, kind: { type: 'linear', bias }, input: agg, preActivation: withBias(matmul(agg, w)), weight: w, bias: b });
    }
    return withBias(nOut < nIn ? matmul(aHat, matmul(x, w)) : matmul(matmul(aHat, x), w));
  };

  const make = (adjacency: Tensor | undefined): GcnLayer => {
    if (adjacency !== undefined && (!(adjacency instanceof Tensor) || adjacency.rank !== 2 || adjacency.shape[0] !== adjacency.shape[1])) {
      throw layerError(
        K,
        name,
        `adjacency must be a square [nodes, nodes] Tensor, got ${adjacency instanceof Tensor ? fmt(adjacency.shape) : String(adjacency)}`,
      );
    }
    return {
      name,
      in: nIn,
      out: nOut,
      bias,
      adjacency,
      propagate,
      init(key: Key): LinearParams {
        const [kw, kb] = random.split(key, 2) as [Key, Key];
        const w = wInit(kw, [nIn, nOut], { dtype });
        return bias ? { w, b: bInit(kb, [nOut], { dtype }) } : { w };
      },
      apply(params: LinearParams, x: Tensor, ctx: ApplyCtx = EVAL): Tensor {
        if (adjacency === undefined)
          throw layerError(K, name, 'no adjacency bound: pass { adjacency } to gcnLayer, use withAdjacency(Â), or call propagate(params, x, Â)');
        return propagate(params, x, adjacency, ctx);
      },
      withAdjacency: (aHat: Tensor) => make(aHat),
    };
  };
  return make(opts.adjacency);
}
