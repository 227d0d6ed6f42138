/**
 * Argument checks shared by the transformations. Errors name the transformation, the argument
 * and the offending value, because a silently wrong hyper-parameter (a negative learning rate,
 * a decay of 1) ruins a run without any other symptom.
 */
import type { Schedule, ScalarOrSchedule } from './schedules.ts';

export function checkFinite(op: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${op}: ${name} must be a finite number, got ${String(v)}`);
  return v;
}

export function checkNonNegative(op: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
    throw new Error(`${op}: ${name} must be a finite number ≥ 0, got ${String(v)}`);
  }
  return v;
}

export function checkPositive(op: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
    throw new Error(`${op}: ${name} must be a finite number > 0, got ${String(v)}`);
  }
  return v;
}

export function checkPositiveInt(op: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new Error(`${op}: ${name} must be an integer ≥ 1, got ${String(v)}`);
  return v;
}

/** Decay / averaging rates live in [0, 1): 1 would freeze the average at its initial value forever. */
export function checkDecay(op: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v >= 1) {
    throw new Error(`${op}: ${name} must be in [0, 1), got ${String(v)}`);
  }
  return v;
}

/**
 * A number or a schedule, as a function of the step. Numbers are checked now; schedule values are
 * checked at every step (so a schedule that goes negative or NaN mid-run fails loudly, naming the step).
 */
export function scheduleOf(op: string, name: string, v: ScalarOrSchedule, check: (op: string, name: string, v: unknown) => number): Schedule {
  if (typeof v === 'function') return (step: number) => check(op, `${name} (schedule value at step ${step})`, v(step));
  const c = check(op, name, v);
  return () => c;
}
