/**
 * Additive Gaussian noise: u ← u + σ_t·ξ, ξ ~ N(0, I) independently per coordinate, σ_t = std or
 * std(step). Randomness comes only from keys: by default ctx.key (the trainer derives a fresh key
 * per step from the run key, so a resumed run draws the same noise); with `opts.key` the noise at
 * step t is drawn from foldIn(opts.key, t) instead (for use without a trainer). Without either it
 * is an error rather than silently noise-free. No key is stored in the state.
 */
import { add, mul } from '../tensor/ops.ts';
import { treeFlatten } from '../tensor/tree.ts';
import * as random from '../tensor/random.ts';
import type { Key } from '../tensor/prng.ts';
import type { GradientTransformation, UpdateCtx } from './transform.ts';
import type { ScalarOrSchedule } from './schedules.ts';
import { checkNonNegative, scheduleOf } from './validate.ts';
import { EMPTY, type EmptyState } from './tree-util.ts';

export interface NoiseOptions {
  /** A base key; noise at step t uses foldIn(key, t). Overrides ctx.key. */
  key?: Key;
  /** Name used in error messages (aliases such as `langevin` set it). */
  name?: string;
}

/** The key a random transformation should use at this step, or a clear error. */
export function stepKey(op: string, ctx: UpdateCtx, own: Key | undefined): Key {
  if (own !== undefined) return random.foldIn(own, ctx.step);
  if (ctx?.key === undefined) {
    throw new Error(
      `${op}: needs a random key but ctx.key is missing; run it through the trainer (which supplies a per-step key) or pass { key: random.key(seed) }`,
    );
  }
  return ctx.key;
}

export function addNoise(std: ScalarOrSchedule, opts: NoiseOptions = {}): GradientTransformation<EmptyState> {
  const op = opts.name ?? 'addNoise';
  const at = scheduleOf(op, 'noise std', std, checkNonNegative);
  if (opts.key !== undefined && !random.isKey(opts.key))
    throw new Error(`${op}: opts.key must be a key from random.key/split/foldIn, got ${JSON.stringify(opts.key)}`);
  return {
    name: `addNoise(${typeof std === 'number' ? std : 'schedule'})`,
    init: () => EMPTY,
    update: (g, state, ctx) => {
      const k = stepKey(op, ctx, opts.key);
      const sigma = at(ctx.step);
      const { leaves, unflatten } = treeFlatten(g);
      const keys = leaves.length > 1 ? random.split(k, leaves.length) : [k];
      const out = leaves.map((x, i) => add(x, mul(random.normal(keys[i]!, x.shape, { dtype: x.dtype }), sigma)));
      return [unflatten(out), state];
    },
  };
}
