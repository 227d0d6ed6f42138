/**
 * optax-shaped gradient transformations: `init(params) → state`,
 * `update(grads, state, ctx) → [updates, state]`; new params = params + updates.
 * States are plain data (trees of Tensors, numbers, keys), so they checkpoint as they are.
 * Contract: a transformation keeps tensors across steps only in its state, never in a closure
 * (exact resume depends on it, and so does the trainer's proof that a buffer is dead).
 */
import type { Tensor } from '../tensor/tensor.ts';
import type { Tree } from '../tensor/tree.ts';
import type { Key } from '../tensor/prng.ts';
import type { TapKind } from '../nn/layer.ts';

/** Per tapped layer: its inputs and the gradient of the (mean) loss w.r.t. its pre-activations. */
export interface LayerStat {
  readonly kind: TapKind;
  /** Layer input: [batch, in] for linear, [batch, C, H, W] for conv2d. */
  readonly input: Tensor;
  /** ∂loss/∂preActivation, same shape as the pre-activation ([batch, out] or [batch, O, OH, OW]). */
  readonly outputGrad: Tensor;
  /** The parameter paths of this layer's weight and bias inside the params tree (e.g. 'layers[0].w'). */
  readonly weightPath: string;
  readonly biasPath?: string;
}

export interface UpdateCtx {
  /** Current parameters (needed by weight decay, K-FAC, Langevin). */
  readonly params: Tree;
  /** Optimizer step about to be taken, starting at 0. */
  readonly step: number;
  /** Per-step randomness (Langevin, additive noise); derived by the trainer from the run key. */
  readonly key?: Key;
  /** Present when the transformation declares `needs: ['loss']`. */
  readonly loss?: Tensor;
  /** Present when declared `needs: ['hvp']`: Hessian-vector products at the current params. */
  readonly hvp?: (v: Tree) => Tree;
  /** Present when declared `needs: ['layerStats']`, keyed by layer name. */
  readonly layerStats?: ReadonlyMap<string, LayerStat>;
}

export type Need = 'loss' | 'hvp' | 'layerStats';

export interface GradientTransformation<S = unknown> {
  readonly name: string;
  readonly needs?: readonly Need[];
  init(params: Tree): S;
  update(grads: Tree, state: S, ctx: UpdateCtx): [updates: Tree, state: S];
}
