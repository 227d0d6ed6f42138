/**
 * Claim statuses. A claim is 'not evaluated' when what it needs was not measured (an optimizer
 * left out by the config, a run that diverged before the metric existed): it is still listed, so
 * a report never looks better by silently losing the checks it could not make, and it is counted
 * apart from passes and failures.
 */
import type { Claim } from './spec.ts';

export type ClaimStatus = 'pass' | 'fail' | 'not evaluated';

// Missing means not measured. A NaN WAS measured (a diverged run): its claim fails, so a report
// never looks better by turning a failure into "not evaluated". (summary.json stores NaN as null;
// the claim's `pass: false` keeps the verdict through that round trip.)
const missing = (v: unknown): boolean => v === undefined || v === null;

export function claimStatus(c: Pick<Claim, 'observed' | 'pass'>): ClaimStatus {
  if (c.observed === undefined || c.pass === null || c.pass === undefined) return 'not evaluated';
  return c.pass ? 'pass' : 'fail';
}

/** The observed cell: the value, or 'not evaluated' when it is missing. */
export function observedText(c: Pick<Claim, 'observed' | 'pass'>): string {
  if (c.observed === undefined || (c.observed === null && typeof c.pass !== 'boolean')) return 'not evaluated (inputs missing)';
  if (c.observed === null) return 'NaN'; // a NaN measurement after summary.json's round trip
  return typeof c.observed === 'number' ? String(Number(c.observed.toPrecision(6))) : String(c.observed);
}

export interface ClaimCounts {
  passed: number;
  failed: number;
  notEvaluated: number;
  /** passed + failed: the claims that could be checked. */
  evaluated: number;
  total: number;
}

export function claimCounts(claims: readonly Claim[]): ClaimCounts {
  let passed = 0;
  let failed = 0;
  let notEvaluated = 0;
  for (const c of claims) {
    const s = claimStatus(c);
    if (s === 'pass') passed++;
    else if (s === 'fail') failed++;
    else notEvaluated++;
  }
  return { passed, failed, notEvaluated, evaluated: passed + failed, total: claims.length };
}

/** '3/4 pass' or '3/4 pass, 1 not evaluated'. */
export function claimCountText(claims: readonly Claim[]): string {
  const c = claimCounts(claims);
  return `${c.passed}/${c.evaluated} pass${c.notEvaluated ? `, ${c.notEvaluated} not evaluated` : ''}`;
}

export interface ClaimCheck<V> {
  id: string;
  statement: string;
  expected: string;
  /** The measured value; undefined/null when its inputs are missing (NaN is a measurement: the claim fails). */
  value: V | undefined | null;
  /** Whether the claim holds for a present value. */
  holds: (value: V) => boolean;
  /** How to show the value (default: String, numbers to 6 significant digits). */
  format?: (value: V) => string;
}

/** Build a Claim from a measured value: 'not evaluated' (pass null) when the value is missing. */
export function checkClaim<V>(c: ClaimCheck<V>): Claim {
  const base = { id: c.id, statement: c.statement, expected: c.expected };
  if (missing(c.value)) return { ...base, pass: null };
  const v = c.value as V;
  if (typeof v === 'number' && Number.isNaN(v)) return { ...base, observed: 'NaN', pass: false };
  const observed = c.format ? c.format(v) : typeof v === 'number' ? v : String(v);
  return { ...base, observed, pass: c.holds(v) };
}
