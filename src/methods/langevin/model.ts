/**
 * The two-layer network of the notes, truncated to M neurons:
 *   f_W(x) = Σ_m a_m · R·tanh(v_m / R) · σ(w_mᵀ[x; 1]),   a_m = μ_m^α,  μ_m = m^−p.
 * Neuron m's coordinates in ℋ are (w_m, v_m) ∈ R^{d+2} (w_m's last entry is the bias, as the
 * notes write w_{1,m}ᵀ[x; 1]). Params are stored column-wise, **neuron index on the last axis of
 * every leaf** (w: [d+1, M], v: [M]), the convention the GLD step and the ℋ_K regularizer rely on
 * to find μ_m for each coordinate. [x; 1] is built once per input tensor (cached; tensors are
 * immutable), so the bias costs no broadcast add forward and no column sum backward.
 * σ is tanh or sigmoid: bounded and smooth, as the theory assumes (ReLU is refused).
 */
import { Tensor } from '../../tensor/tensor.ts';
import { concat, matmul, mul, reshape, sigmoid, tanh } from '../../tensor/ops.ts';
import { ones } from '../../tensor/tensor.ts';
import * as random from '../../tensor/random.ts';
import type { Key } from '../../tensor/prng.ts';
import type { Layer } from '../../nn/layer.ts';
import { eigenDecay, outputScales } from './spectrum.ts';

export interface TwoLayerParams {
  [k: string]: Tensor;
  /** Input weights and (last row) biases [d+1, M]. */
  w: Tensor;
  /** Unclipped output weights [M]; the model uses R·tanh(v/R). */
  v: Tensor;
}

export interface TwoLayerOptions {
  inputDim: number;
  /** Truncation width M (neurons 1…M). */
  width: number;
  /** Eigen-decay exponent: μ_m = m^−p (default 2). */
  p?: number;
  /** Output scale exponent: a_m = μ_m^α (default 0.5). */
  alpha?: number;
  /** Output-weight clip R (default 1). */
  clip?: number;
  activation?: 'tanh' | 'sigmoid';
  /** init draws every coordinate of neuron m from N(0, initScale²·μ_m): the prior's shape (default 1, i.e. λβ = 1). */
  initScale?: number;
}

export interface TwoLayerNet extends Layer<TwoLayerParams> {
  readonly mu: Float64Array;
  readonly a: Float64Array;
  readonly width: number;
  readonly inputDim: number;
}

export function twoLayerNet(o: TwoLayerOptions): TwoLayerNet {
  const op = 'langevin.twoLayerNet';
  if (!Number.isInteger(o?.inputDim) || o.inputDim < 1) throw new Error(`${op}: inputDim must be an integer ≥ 1, got ${String(o?.inputDim)}`);
  const width = o.width;
  const mu = eigenDecay(width, o.p ?? 2);
  const a = outputScales(mu, o.alpha ?? 0.5);
  const R = o.clip ?? 1;
  if (!Number.isFinite(R) || R <= 0) throw new Error(`${op}: clip R must be a finite number > 0, got ${String(R)}`);
  const initScale = o.initScale ?? 1;
  if (!Number.isFinite(initScale) || initScale < 0) throw new Error(`${op}: initScale must be a finite number ≥ 0, got ${String(initScale)}`);
  const act = o.activation ?? 'tanh';
  if (act !== 'tanh' && act !== 'sigmoid') throw new Error(`${op}: activation must be 'tanh' or 'sigmoid' (bounded and smooth), got ${String(act)}`);
  const sigma = act === 'tanh' ? tanh : sigmoid;
  const d = o.inputDim;
  const aT = new Tensor(a, [width]);
  const std = new Tensor(
    mu.map((m) => initScale * Math.sqrt(m)),
    [width],
  );
  const withOnes = new WeakMap<Tensor, Tensor>();
  const augment = (x: Tensor): Tensor => {
    let xa = withOnes.get(x);
    if (!xa) withOnes.set(x, (xa = concat([x, ones([x.shape[0]!, 1], x.dtype)], 1)));
    return xa;
  };
  return {
    name: `twoLayer(d=${d}, M=${width}, ${act})`,
    mu,
    a,
    width,
    inputDim: d,
    init(key: Key): TwoLayerParams {
      const [kw, kv] = random.split(key) as [Key, Key];
      return { w: mul(random.normal(kw, [d + 1, width]), std), v: mul(random.normal(kv, [width]), std) };
    },
    apply(params: TwoLayerParams, x: Tensor): Tensor {
      if (x.rank !== 2 || x.shape[1] !== d) throw new Error(`${op}: expected inputs [n, ${d}], got [${x.shape.join(', ')}]`);
      const h = sigma(matmul(augment(x), params.w)); // [n, M]
      const c = mul(mul(tanh(mul(params.v, 1 / R)), R), aT); // a_m·R·tanh(v_m/R), [M]
      return reshape(matmul(h, reshape(c, [width, 1])), [x.shape[0]!]); // [n]
    },
  };
}
