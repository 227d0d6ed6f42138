/**
 * Exponential moving average of the parameters (Polyak-style iterate averaging; the NQM paper's
 * θ̃_{t+1} = γθ̃_t + (1−γ)θ_{t+1}, θ̃₀ = θ₀, no bias correction).
 *
 * `ema(γ)` passes updates through untouched and only records the average in its state, so it
 * must come LAST in a chain: it sees the final updates u and forms θ_{t+1} = ctx.params + u.
 * Read the average with `emaParams(optState)` (it finds the EMA state anywhere inside nested
 * chain states), e.g. `evaluate(model, emaParams(result.optState), test)` after `train(...)`.
 */
import { add, mul } from '../tensor/ops.ts';
import { treeMap, type Tree } from '../tensor/tree.ts';
import { Tensor } from '../tensor/tensor.ts';
import type { GradientTransformation } from './transform.ts';
import { checkDecay } from './validate.ts';

export interface EmaState {
  /** A marker so that emaParams can find this state inside a chain's state array. */
  readonly kind: 'ema';
  readonly count: number;
  readonly params: Tree;
}

export function ema(decay: number): GradientTransformation<EmaState> {
  checkDecay('ema', 'decay', decay);
  return {
    name: `ema(${decay})`,
    init: (params) => ({ kind: 'ema', count: 0, params: treeMap((p) => p, params) }),
    update: (u, state, ctx) => {
      if (!ctx?.params) throw new Error('ema: ctx.params is missing (the average needs the current parameters)');
      const next = treeMap((a, p, d) => add(mul(a, decay), mul(add(p, d), 1 - decay)), state.params, ctx.params, u);
      return [u, { kind: 'ema', count: state.count + 1, params: next }];
    },
  };
}

/** The averaged parameters held by the first `ema` found in an optimizer state (depth-first). */
export function emaParams<P extends Tree = Tree>(state: unknown): P {
  const found = findEma(state);
  if (!found) throw new Error('emaParams: no ema(...) state found in this optimizer state (add ema(decay) as the last element of the chain)');
  return found.params as P;
}

function findEma(s: unknown): EmaState | undefined {
  if (s === null || typeof s !== 'object' || s instanceof Tensor) return undefined;
  if (!Array.isArray(s) && (s as { kind?: unknown }).kind === 'ema' && 'params' in s) return s as EmaState;
  for (const v of Array.isArray(s) ? s : Object.values(s)) {
    const f = findEma(v);
    if (f) return f;
  }
  return undefined;
}
