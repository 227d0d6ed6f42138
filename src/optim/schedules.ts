/**
 * Learning-rate (or noise) schedules: plain functions of the optimizer step (0-based). They hold
 * no state, so a resumed run reads the same value at the same step. Every constructor validates
 * its arguments; a schedule also rejects a step that is negative or not finite.
 */
import { checkFinite, checkNonNegative, checkPositiveInt } from './validate.ts';

export type Schedule = (step: number) => number;
export type ScalarOrSchedule = number | Schedule;

function checkStep(op: string, step: number): void {
  if (typeof step !== 'number' || !Number.isFinite(step) || step < 0) throw new Error(`${op}: step must be a finite number ≥ 0, got ${String(step)}`);
}

/** The same value at every step. */
export function constant(value: number): Schedule {
  checkFinite('constant', 'value', value);
  return (step) => (checkStep('constant', step), value);
}

/** value · factor^⌊step / every⌋ (PyTorch StepLR: `every` = step_size, `factor` = gamma). */
export function stepDecay(value: number, opts: { every: number; factor?: number }): Schedule {
  checkFinite('stepDecay', 'value', value);
  const every = checkPositiveInt('stepDecay', 'every', opts?.every);
  const factor = checkNonNegative('stepDecay', 'factor', opts.factor ?? 0.1);
  return (step) => (checkStep('stepDecay', step), value * factor ** Math.floor(step / every));
}

/**
 * Cosine decay from `value` at step 0 to `final` at step `steps`, then `final` forever:
 * final + (value − final)·(1 + cos(π·t/steps))/2 (SGDR / optax cosine_decay_schedule with alpha = final/value).
 */
export function cosine(value: number, steps: number, final = 0): Schedule {
  checkFinite('cosine', 'value', value);
  checkPositiveInt('cosine', 'steps', steps);
  checkFinite('cosine', 'final', final);
  return (step) => {
    checkStep('cosine', step);
    const t = Math.min(step, steps) / steps;
    return final + (value - final) * 0.5 * (1 + Math.cos(Math.PI * t));
  };
}

/**
 * Linear warm-up over `steps` steps from `start` to the value the following schedule has at its
 * own step 0, then that schedule with its clock started at the end of the warm-up:
 * step < steps: start + (after(0) − start)·step/steps;  step ≥ steps: after(step − steps).
 * `after` may be a number (a constant). So warmup(100, cosine(0.1, 900)) is the usual
 * "warm-up then cosine" over 1000 steps.
 */
export function warmup(steps: number, after: number | Schedule, opts: { start?: number } = {}): Schedule {
  checkPositiveInt('warmup', 'steps', steps);
  const next = typeof after === 'function' ? after : constant(after);
  const start = checkFinite('warmup', 'start', opts.start ?? 0);
  return (step) => {
    checkStep('warmup', step);
    if (step >= steps) return next(step - steps);
    return start + (next(0) - start) * (step / steps);
  };
}

/**
 * values[i] on [boundaries[i−1], boundaries[i]): `values` has one more entry than `boundaries`,
 * which are strictly increasing non-negative step counts. E.g. piecewiseConstant([100, 200],
 * [0.1, 0.01, 0.001]) is 0.1 for steps 0–99, 0.01 for 100–199, 0.001 after.
 */
export function piecewiseConstant(boundaries: readonly number[], values: readonly number[]): Schedule {
  if (!Array.isArray(boundaries) || !Array.isArray(values)) throw new Error('piecewiseConstant: boundaries and values must be arrays');
  if (values.length !== boundaries.length + 1) {
    throw new Error(`piecewiseConstant: needs one more value than boundaries, got ${values.length} values for ${boundaries.length} boundaries`);
  }
  boundaries.forEach((b, i) => {
    if (!Number.isInteger(b) || b < 0) throw new Error(`piecewiseConstant: boundary ${i} must be a non-negative integer step, got ${String(b)}`);
    if (i > 0 && b <= boundaries[i - 1]!) throw new Error(`piecewiseConstant: boundaries must be strictly increasing, got ${boundaries[i - 1]} then ${b}`);
  });
  values.forEach((v, i) => checkFinite('piecewiseConstant', `value ${i}`, v));
  const bs = [...boundaries];
  const vs = [...values];
  return (step) => {
    checkStep('piecewiseConstant', step);
    let i = 0;
    while (i < bs.length && step >= bs[i]!) i++;
    return vs[i]!;
  };
}
