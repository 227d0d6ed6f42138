/** zod fields shared by the langevin experiments (defaults from cells.ts's CELL_DEFAULTS). */
import { z } from 'zod';
import { CELL_DEFAULTS as D } from './cells.ts';

export const chainFields = {
  inputDim: z.number().int().min(1).default(D.inputDim),
  active: z.number().int().min(1).default(D.active),
  p: z.number().gt(1).default(D.p),
  alpha: z.number().min(0).default(D.alpha),
  steps: z.number().int().min(2).default(1500),
  lr: z.number().positive().default(D.lr),
  betaPerN: z.number().positive().default(D.betaPerN),
  lambdaBeta: z.number().positive().default(D.lambdaBeta),
  gibbsTail: z.number().gt(0).max(1).default(D.gibbsTail),
  gibbsThin: z.number().int().min(1).default(D.gibbsThin),
  features: z.number().int().min(1).default(D.features),
  probe: z.number().int().min(2).default(D.probe),
  seeds: z.number().int().min(1).default(5),
};

/** Mean and coefficient of variation (std/mean over seeds, sample std). */
export function spread(xs: readonly number[]): { mean: number; std: number; cv: number } {
  const n = xs.length;
  const mean = xs.reduce((s, v) => s + v, 0) / n;
  const std = n > 1 ? Math.sqrt(xs.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, std, cv: mean > 0 ? std / mean : NaN };
}

export const median = (xs: readonly number[]): number => {
  const s = [...xs].filter(Number.isFinite).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
