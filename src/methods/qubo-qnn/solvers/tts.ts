/**
 * Time to solution at 99 % confidence: the expected time to see the target energy at least once
 * with probability 0.99 when each read succeeds independently with probability p:
 * TTS99 = t_read · ln(0.01) / ln(1 − p); t_read when p ≥ 0.99; Infinity when p = 0.
 */
import type { SolveResult } from './solver.ts';

export function tts99(timePerReadMs: number, p: number): number {
  if (!(p >= 0 && p <= 1)) throw new Error(`tts99: success probability must be in [0, 1], got ${p}`);
  if (p === 0) return Infinity;
  if (p >= 0.99) return timePerReadMs;
  return (timePerReadMs * Math.log(0.01)) / Math.log(1 - p);
}

export interface TtsReport {
  reads: number;
  successes: number;
  successRate: number;
  timePerReadMs: number;
  tts99Ms: number;
}

/** Success = a read within `tol` (relative, default 1e-9) of the target (e.g. the exact ground energy). */
export function ttsReport(r: SolveResult, target: number, tol = 1e-9): TtsReport {
  const reads = r.samples.length;
  const thr = target + tol * Math.max(1, Math.abs(target));
  const successes = r.samples.filter((s) => s.energy <= thr).length;
  const p = reads ? successes / reads : 0;
  const per = reads ? r.timeMs / reads : r.timeMs;
  return { reads, successes, successRate: p, timePerReadMs: per, tts99Ms: tts99(per, p) };
}
