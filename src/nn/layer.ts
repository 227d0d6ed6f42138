/**
 * The layer contract: a layer is a pair of pure functions, `init(key) → params` and
 * `apply(params, x, ctx) → y`. Parameters are plain trees of Tensors, so every transform
 * (grad, hvp, …) and every optimizer works on them directly.
 */
import type { Tensor } from '../tensor/tensor.ts';
import type { Tree } from '../tensor/tree.ts';
import type { Key } from '../tensor/prng.ts';

/** Non-trainable buffers (BatchNorm running statistics), keyed by layer name; plain data so it checkpoints. */
export type ModelState = Record<string, Tree>;

export interface ApplyCtx {
  /** Training mode: dropout active, BatchNorm uses and updates batch statistics. */
  readonly training: boolean;
  /** Randomness for dropout and the like; layers fold in their own name. */
  readonly key?: Key;
  /** Buffers read in eval mode and written in training mode (BatchNorm running stats). */
  readonly state?: ModelState;
  /**
   * Layer-statistics hook (K-FAC): Linear and Conv2d call `tap({...})` and use the returned
   * tensor in place of their pre-activation. The trainer uses it to record inputs and to expose
   * ∂loss/∂preActivation; `weight`/`bias` are the very tensors taken from the params tree, so the
   * trainer can find their paths. Without a tap the layer output is unchanged.
   */
  readonly tap?: (site: TapSite) => Tensor;
}

export interface TapSite {
  readonly name: string;
  readonly kind: TapKind;
  readonly input: Tensor;
  readonly preActivation: Tensor;
  readonly weight: Tensor;
  readonly bias?: Tensor;
}

/** What a tapped layer is, so K-FAC knows how to form its Kronecker factors. */
export type TapKind =
  | { type: 'linear'; bias: boolean }
  | { type: 'conv2d'; bias: boolean; kernel: [number, number]; stride: [number, number]; padding: [number, number]; dilation: [number, number] };

export interface Layer<P extends Tree = Tree> {
  /** A stable name (used for state, taps and keys); unique within a model. */
  readonly name: string;
  init(key: Key): P;
  apply(params: P, x: Tensor, ctx?: ApplyCtx): Tensor;
}

export const EVAL: ApplyCtx = { training: false };
