/**
 * Per-strategy means the warm-start claims are stated from. One study's cells and a sweep's
 * aggregate points both reduce to the same per-cell samples, so the claims read the same numbers
 * whichever way the study ran.
 */
import type { Strategy } from '../../methods/dash/protocol.ts';

/** A cell's totals, the samples a summary is made of (also the sweep's per-cell metric names). */
export const CELL_METRICS = ['meanTestAccuracy', 'finalTestAccuracy', 'totalSteps', 'totalExtraPasses', 'chunksCapped'] as const;
export type CellMetric = (typeof CELL_METRICS)[number];
export type CellSamples = Record<CellMetric, number[]>;

/** Per strategy: means over its cells (seeds) of mean and final test accuracy, total steps and extra passes; capped chunks summed. */
export type StrategySummary = Map<Strategy, { meanAcc: number; finalAcc: number; steps: number; extra: number; capped: number }>;

/** Adds one or more cells' samples of a strategy to acc. */
export function addSamples(acc: Map<Strategy, CellSamples>, strategy: Strategy, samples: Partial<Record<CellMetric, readonly number[]>>): void {
  const a = acc.get(strategy) ?? { meanTestAccuracy: [], finalTestAccuracy: [], totalSteps: [], totalExtraPasses: [], chunksCapped: [] };
  for (const m of CELL_METRICS) a[m].push(...(samples[m] ?? []));
  acc.set(strategy, a);
}

/** The mean of xs; NaN for none (a strategy with no cells has no mean). */
export const mean = (xs: readonly number[]): number => (xs.length === 0 ? NaN : xs.reduce((a, b) => a + b, 0) / xs.length);

export function summarize(acc: ReadonlyMap<Strategy, CellSamples>): StrategySummary {
  const out: StrategySummary = new Map();
  for (const [s, a] of acc) {
    out.set(s, {
      meanAcc: mean(a.meanTestAccuracy),
      finalAcc: mean(a.finalTestAccuracy),
      steps: mean(a.totalSteps),
      extra: mean(a.totalExtraPasses),
      capped: a.chunksCapped.reduce((x, y) => x + y, 0),
    });
  }
  return out;
}
