/**
 * Hutchinson's trace estimator: tr(A) ≈ mean over probes z of zᵀ·A·z, z Rademacher (±1), with
 * its standard error (sample standard deviation / √probes).
 */
import type { Key } from '../tensor/prng.ts';
import { applyChecked, type LinearOperator } from './operator.ts';
import { rademacher } from './probes.ts';
import { dot } from './vec.ts';

export interface HutchinsonResult {
  trace: number;
  /** Standard error of `trace` (NaN with one probe). */
  stdErr: number;
  /** zᵀ·A·z per probe. */
  samples: Float64Array;
  matvecs: number;
}

export function hutchinsonTrace(op: LinearOperator, opts: { key: Key; probes?: number }): HutchinsonResult {
  const R = 'hutchinsonTrace';
  if (!opts || opts.key === undefined) throw new Error(`${R}: options.key is required (a PRNG key: random.key(seed))`);
  const probes = opts.probes ?? 100;
  if (!Number.isInteger(probes) || probes < 1) throw new Error(`${R}: probes must be a positive integer, got ${probes}`);
  const samples = new Float64Array(probes);
  rademacher(opts.key, probes, op.size).forEach((z, i) => {
    samples[i] = dot(z, applyChecked(R, op, z, `for probe ${i + 1}`));
  });
  return { trace: mean(samples), stdErr: stdErr(samples), samples, matvecs: probes };
}

export function mean(xs: Float64Array): number {
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/** Sample standard deviation / √count (NaN for fewer than two values). */
export function stdErr(xs: Float64Array): number {
  if (xs.length < 2) return NaN;
  const m = mean(xs);
  let s = 0;
  for (const x of xs) s += (x - m) * (x - m);
  return Math.sqrt(s / (xs.length - 1) / xs.length);
}
