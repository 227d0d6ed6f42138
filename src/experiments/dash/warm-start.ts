/**
 * dash/warm-start — every warm-start strategy on the chunked-data protocol (Shin et al. 2024, §5):
 * a BatchNorm MLP on MNIST digits (or Fashion-MNIST), J chunks, trained to a train-accuracy
 * threshold on chunks 1..j, test accuracy and SGD steps per chunk, for all strategies × seeds.
 */
import { z } from 'zod';
import { defineExperiment } from '../experiment.ts';
import { lineChart } from '../../report/charts.ts';
import { checkClaim } from '../../report/claims.ts';
import type { Claim } from '../../report/spec.ts';
import { STRATEGIES, type Strategy } from '../../methods/dash/protocol.ts';
import type { CellConfig, CellResult, WarmStartRow } from './cells.ts';
import { runCells } from './run-cells.ts';
import { addSamples, mean, summarize, type CellSamples, type StrategySummary } from './strategy-summary.ts';
import { warmStartSweeps } from './warm-start-sweep.ts';
import { baseCell, protocolChecks, protocolFields } from './warm-start-config.ts';

const config = protocolChecks(
  z
    .object({
      ...protocolFields,
      strategies: z
        .array(z.enum(STRATEGIES))
        .min(1)
        .default([...STRATEGIES]),
      dashLambda: z.number().gt(0).max(1).default(0.3),
      dashAlpha: z.number().gt(0).max(1).default(0.3),
    })
    .strict(),
);

export interface WarmStartResult {
  rows: WarmStartRow[];
  cells: {
    strategy: Strategy;
    seed: number;
    totalSteps: number;
    totalExtraPasses: number;
    meanTestAccuracy: number;
    finalTestAccuracy: number;
    capped: number[];
    trainAccuracy: number[];
    probeCosine: number[];
    wallMs: number;
  }[];
  /** Sequential wall time of all cells (ms; not deterministic). */
  wallMs: number;
}

/** Per strategy: means over seeds of the cells' mean and final test accuracy, total steps and extra passes. */
export function summarizeStrategies(r: WarmStartResult): StrategySummary {
  const acc = new Map<Strategy, CellSamples>();
  for (const c of r.cells) {
    addSamples(acc, c.strategy, {
      meanTestAccuracy: [c.meanTestAccuracy],
      finalTestAccuracy: [c.finalTestAccuracy],
      totalSteps: [c.totalSteps],
      totalExtraPasses: [c.totalExtraPasses],
      chunksCapped: [c.capped.length],
    });
  }
  return summarize(acc);
}

/** The study's cells: every strategy for seeds firstSeed … firstSeed + seeds − 1 (firstSeed: the run's seed). */
export const cellsOf = (c: z.output<typeof config>, firstSeed: number): CellConfig[] =>
  Array.from({ length: c.seeds }, (_, i) =>
    c.strategies.map((strategy) => ({ ...baseCell(c), strategy, seed: firstSeed + i, dashLambda: c.dashLambda, dashAlpha: c.dashAlpha })),
  ).flat();

export const toResult = (cells: CellResult[], wallMs: number): WarmStartResult => ({
  rows: cells.flatMap((c) => c.rows),
  cells: cells.map((c) => ({
    strategy: c.cell.strategy,
    seed: c.cell.seed,
    totalSteps: c.totalSteps,
    totalExtraPasses: c.totalExtraPasses,
    meanTestAccuracy: c.meanTestAccuracy,
    finalTestAccuracy: c.finalTestAccuracy,
    capped: c.capped,
    trainAccuracy: c.trainAccuracy,
    probeCosine: c.probeCosine,
    wallMs: c.wallMs,
  })),
  wallMs,
});

const pct = (v: number): string => `${(100 * v).toFixed(2)} %`;

/** The four claims of issue 18 on real data, from per-strategy means over seeds. */
export function warmStartClaims(s: StrategySummary, labelNoise: number): Claim[] {
  const cold = s.get('cold');
  const warm = s.get('warm');
  const dash = s.get('dash');
  const sp = s.get('shrink-perturb');
  const both = <T>(a: T | undefined, b: T | undefined): [T, T] | undefined => (a && b ? [a, b] : undefined);
  return [
    checkClaim({
      id: 'plasticity-gap',
      statement: 'warm-starting generalizes worse than training from scratch: mean test accuracy warm < cold',
      expected: 'warm < cold',
      value: both(warm, cold),
      holds: ([w, k]) => w.meanAcc < k.meanAcc,
      format: ([w, k]) => `warm ${pct(w.meanAcc)}, cold ${pct(k.meanAcc)} (Δ ${(100 * (k.meanAcc - w.meanAcc)).toFixed(2)} pt; label noise ${labelNoise})`,
    }),
    checkClaim({
      id: 'dash-matches-cold',
      statement: 'DASH reaches cold-start accuracy: mean test accuracy DASH ≥ cold − 0.5 pt',
      expected: 'dash ≥ cold − 0.005',
      value: both(dash, cold),
      holds: ([d, k]) => d.meanAcc >= k.meanAcc - 0.005,
      format: ([d, k]) => `dash ${pct(d.meanAcc)}, cold ${pct(k.meanAcc)}`,
    }),
    checkClaim({
      id: 'dash-cheaper-than-cold',
      statement: 'DASH needs at most 0.7× the SGD steps of cold (its gradient pass counted separately)',
      expected: 'steps(dash) ≤ 0.7 · steps(cold)',
      value: both(dash, cold),
      holds: ([d, k]) => d.steps <= 0.7 * k.steps,
      format: ([d, k]) =>
        `dash ${d.steps.toFixed(0)} steps (+${d.extra.toFixed(0)} step-equivalents of gradient pass), cold ${k.steps.toFixed(0)} (ratio ${(d.steps / k.steps).toFixed(3)})`,
    }),
    checkClaim({
      id: 'dash-beats-sp',
      statement: 'DASH beats Shrink & Perturb in mean test accuracy',
      expected: 'dash > shrink-perturb',
      value: both(dash, sp),
      holds: ([d, p]) => d.meanAcc > p.meanAcc,
      format: ([d, p]) => `dash ${pct(d.meanAcc)}, S&P ${pct(p.meanAcc)}`,
    }),
  ];
}

export const dashWarmStart = defineExperiment({
  id: 'dash/warm-start',
  title: 'Warm-starting on chunked data: cold, warm, S&P, DASH and the other baselines',
  paper: 'Shin, Oh, Cho, Yun (2024), "DASH: Warm-Starting Neural Network Training in Stationary Settings without Loss of Plasticity" (NeurIPS 2024)',
  description:
    'A BatchNorm MLP trained chunk by chunk to 99.9 % train accuracy with every warm-start strategy (cold, warm, warm-reset-opt, reset-head, l2-init, shrink-perturb, dash) × seeds; test accuracy and SGD steps per chunk.',
  config,
  presets: {
    smoke: { trainSize: 240, testSize: 200, chunks: 3, hidden: 32, batchSize: 32, maxEpochs: 15, seeds: 1, threshold: 0.99 },
    small: {},
    paper: { dataset: 'fashion-mnist', trainSize: 60000, testSize: 10000, chunks: 50, maxEpochs: 100 },
  },
  // `trainscope sweep dash/warm-start --preset small`: one cell per strategy × seed on every core.
  sweep: warmStartSweeps(warmStartClaims),
  async run(c, io) {
    const t0 = performance.now();
    const cells = await runCells(cellsOf(c, io.seed), io);
    return toResult(cells, performance.now() - t0);
  },
  report(r, c) {
    const s = summarizeStrategies(r);
    const claims = warmStartClaims(s, c.labelNoise);
    const perChunk = c.strategies.flatMap((strategy) =>
      Array.from({ length: c.chunks }, (_, chunk) => {
        const rs = r.rows.filter((x) => x.strategy === strategy && x.chunk === chunk);
        return { strategy, chunk, testAccuracy: mean(rs.map((x) => x.testAccuracy)), steps: mean(rs.map((x) => x.steps)) };
      }),
    );
    return {
      title: this.title,
      summary:
        `A BatchNorm MLP 784-${Array(c.depth).fill(c.hidden).join('-')}-10 on ${c.trainSize} ${c.dataset === 'mnist' ? 'MNIST digits' : 'Fashion-MNIST images'} ` +
        `(label noise ${c.labelNoise}) in ${c.chunks} keyed chunks, SGD lr ${c.lr} momentum ${c.momentum} batch ${c.batchSize}, each chunk trained on chunks 1..j until the train accuracy ` +
        `(a clean pass every ${c.evalEvery ?? 'epoch'} ${c.evalEvery ? 'steps' : ''}) reaches ${c.threshold} or ${c.maxEpochs} epochs; ${c.seeds} seed(s). ` +
        `DASH λ ${c.dashLambda}, α ${c.dashAlpha}; S&P λ ${c.spLambda}, σ ${c.spSigma}; l2-init c ${c.l2InitC}. Sequential wall time ${(r.wallMs / 1000).toFixed(0)} s.`,
      figures: [
        lineChart({
          id: 'test-accuracy',
          title: 'Test accuracy after each chunk (mean over seeds)',
          x: 'chunk',
          y: 'testAccuracy',
          series: 'strategy',
          points: true,
          data: perChunk,
        }),
        lineChart({ id: 'steps', title: 'SGD steps per chunk (mean over seeds)', x: 'chunk', y: 'steps', series: 'strategy', points: true, data: perChunk }),
      ],
      tables: [
        {
          id: 'strategies',
          title: 'Per strategy (means over seeds)',
          columns: ['strategy', 'mean test accuracy', 'final test accuracy', 'total SGD steps', 'DASH gradient pass (step-equivalents)', 'chunks capped'],
          rows: [...s].map(([k, v]) => [k, Number(v.meanAcc.toFixed(4)), Number(v.finalAcc.toFixed(4)), Math.round(v.steps), Math.round(v.extra), v.capped]),
        },
      ],
      claims,
    };
  },
});
