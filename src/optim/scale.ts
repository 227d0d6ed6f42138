/** Multiplying updates by a constant, and the learning-rate step (which also flips the sign). */
import { mul } from '../tensor/ops.ts';
import { treeMap } from '../tensor/tree.ts';
import type { GradientTransformation } from './transform.ts';
import type { ScalarOrSchedule } from './schedules.ts';
import { checkFinite, scheduleOf } from './validate.ts';
import { EMPTY, type EmptyState } from './tree-util.ts';
import { fusedScale } from './fused.ts';

/** u ← s·u. */
export function scale(s: number): GradientTransformation<EmptyState> {
  checkFinite('scale', 'factor', s);
  return {
    name: `scale(${s})`,
    init: () => EMPTY,
    update: (g, state) => [fusedScale(g, s) ?? treeMap((x) => mul(x, s), g), state],
  };
}

/**
 * u ← −η_t·u, with η_t = lr or lr(step). Updates are ADDED to params, so the minus sign here is
 * what makes the chain descend. η must be finite and ≥ 0: a negative rate would silently ascend
 * the loss, so it is an error (checked at construction, and per step for schedules).
 */
export function scaleByLearningRate(lr: ScalarOrSchedule): GradientTransformation<EmptyState> {
  const at = scheduleOf('scaleByLearningRate', 'learning rate', lr, checkLearningRate);
  return {
    name: `scaleByLearningRate(${typeof lr === 'number' ? lr : 'schedule'})`,
    init: () => EMPTY,
    update: (g, state, ctx) => {
      const eta = at(ctx.step);
      return [fusedScale(g, -eta) ?? treeMap((x) => mul(x, -eta), g), state];
    },
  };
}

function checkLearningRate(op: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
    const why = typeof v === 'number' && v < 0 ? ' (a negative learning rate would ascend the loss)' : '';
    throw new Error(`${op}: ${name} must be a finite number ≥ 0, got ${String(v)}${why}`);
  }
  return v;
}
