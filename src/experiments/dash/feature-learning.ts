/**
 * dash/feature-learning — the paper's discrete feature-learning framework (§4; the official
 * notebook): cold / warm / ideal on J experiments of N new points, per seed.
 */
import { z } from 'zod';
import * as random from '../../tensor/random.ts';
import { defineExperiment, RunInterrupted } from '../experiment.ts';
import { lineChart } from '../../report/charts.ts';
import { checkClaim } from '../../report/claims.ts';
import { FEATURE_LEARNING_DEFAULTS as D, simulateFeatureLearning, type SimRow, type SimStrategy } from '../../methods/dash/feature-learning.ts';

const config = z
  .object({
    pointsPerChunk: z.number().int().min(1).default(D.pointsPerChunk),
    chunks: z.number().int().min(1).default(D.chunks),
    classes: z.number().int().min(2).default(D.classes),
    featuresPerClass: z.number().int().min(1).default(D.featuresPerClass),
    pMax: z.number().gt(0).max(1).default(D.pMax),
    gamma: z.number().int().min(1).default(D.gamma),
    tau: z.number().int().min(1).default(D.tau),
    testPoints: z.number().int().min(1).default(D.testPoints),
    seeds: z.number().int().min(1).default(3),
  })
  .strict();

/** The row plus the seed it belongs to. */
export type FeatureLearningRow = SimRow & { seed: number };
export interface FeatureLearningResult {
  rows: FeatureLearningRow[];
}

const mean = (xs: readonly number[]): number => (xs.length === 0 ? NaN : xs.reduce((a, b) => a + b, 0) / xs.length);

export const dashFeatureLearning = defineExperiment({
  id: 'dash/feature-learning',
  title: 'Discrete feature-learning framework: warm-starting memorizes instead of learning features',
  paper: 'Shin, Oh, Cho, Yun (2024), "DASH: Warm-Starting Neural Network Training in Stationary Settings without Loss of Plasticity" (NeurIPS 2024), §4',
  description:
    'An integer simulation of feature learning vs noise memorization over arriving chunks: cold (relearn from all data), warm (keep features and memorized points), ideal (keep features, forget memorized points).',
  config,
  presets: { smoke: { chunks: 8, pointsPerChunk: 500, seeds: 1 }, small: {}, paper: { seeds: 10 } },
  async run(c, io) {
    const { seeds, ...sim } = c;
    const rows: FeatureLearningRow[] = [];
    for (let seed = 0; seed < seeds; seed++) {
      if (io.signal.aborted) throw new RunInterrupted();
      rows.push(
        ...(await io.stage(`seed-${seed}`, () => {
          io.progress({ stage: `seed-${seed}`, step: seed, total: seeds });
          const rs = simulateFeatureLearning(sim, random.foldIn(io.key, seed)).map((r) => ({ ...r, seed }));
          for (const r of rs) io.log({ ...r });
          return rs;
        })),
      );
    }
    return { rows };
  },
  report(r, c) {
    const last = c.chunks - 1;
    const at = (s: SimStrategy, f: (x: FeatureLearningRow) => number) => mean(r.rows.filter((x) => x.strategy === s && x.experiment === last).map(f));
    const totalCost = (s: SimStrategy) =>
      mean(Array.from({ length: c.seeds }, (_, seed) => r.rows.filter((x) => x.strategy === s && x.seed === seed).reduce((a, x) => a + x.cost, 0)));
    const acc = { cold: at('cold', (x) => x.testAccuracy), warm: at('warm', (x) => x.testAccuracy), ideal: at('ideal', (x) => x.testAccuracy) };
    const feats = { cold: at('cold', (x) => x.learnedFeatures), warm: at('warm', (x) => x.learnedFeatures), ideal: at('ideal', (x) => x.learnedFeatures) };
    const cost = { cold: totalCost('cold'), warm: totalCost('warm'), ideal: totalCost('ideal') };
    const pt = (v: number) => `${(100 * v).toFixed(2)} %`;
    return {
      title: this.title,
      summary:
        `${c.chunks} experiments of ${c.pointsPerChunk} new points, ${c.classes} classes × ${c.featuresPerClass} features (p ~ U(0, ${c.pMax})), γ = ${c.gamma}, τ = ${c.tau}, ` +
        `${c.testPoints} test points, ${c.seeds} seed(s). Values at the last experiment are means over seeds; cost is the sum over experiments of the non-zero-gradient points at the start of each.`,
      figures: [
        lineChart({
          id: 'accuracy',
          title: 'Test accuracy per experiment',
          x: 'experiment',
          y: 'testAccuracy',
          series: 'strategy',
          band: { over: 'seed' },
          data: r.rows.map((x) => ({ ...x })),
        }),
        lineChart({
          id: 'features',
          title: 'Learned features',
          x: 'experiment',
          y: 'learnedFeatures',
          series: 'strategy',
          band: { over: 'seed' },
          data: r.rows.map((x) => ({ ...x })),
        }),
        lineChart({
          id: 'cost',
          title: 'Cost per experiment (non-zero-gradient points at its start)',
          x: 'experiment',
          y: 'cost',
          series: 'strategy',
          logY: true,
          nonPositive: 'drop',
          band: { over: 'seed' },
          data: r.rows.map((x) => ({ ...x })),
        }),
      ],
      tables: [
        {
          id: 'final',
          title: 'At the last experiment (means over seeds)',
          columns: ['strategy', 'test accuracy', 'learned features', 'total cost'],
          rows: (['cold', 'warm', 'ideal'] as const).map((s) => [s, Number(acc[s].toFixed(4)), Number(feats[s].toFixed(1)), Math.round(cost[s])]),
        },
      ],
      claims: [
        checkClaim({
          id: 'cold-matches-ideal',
          statement: 'cold ≈ ideal in final test accuracy',
          expected: '|cold − ideal| < 1 pt',
          value: acc,
          holds: (a) => Math.abs(a.cold - a.ideal) < 0.01,
          format: (a) => `cold ${pt(a.cold)}, ideal ${pt(a.ideal)}`,
        }),
        checkClaim({
          id: 'warm-loses',
          statement: 'warm-starting loses ≥ 10 points of final test accuracy to cold',
          expected: 'cold − warm ≥ 10 pt',
          value: acc,
          holds: (a) => a.cold - a.warm >= 0.1,
          format: (a) => `cold ${pt(a.cold)}, warm ${pt(a.warm)} (Δ ${(100 * (a.cold - a.warm)).toFixed(2)} pt)`,
        }),
        checkClaim({
          id: 'warm-learns-fewer',
          statement: 'warm learns fewer than half the features of cold',
          expected: 'features(warm) < 0.5 · features(cold)',
          value: feats,
          holds: (f) => f.warm < 0.5 * f.cold,
          format: (f) => `warm ${f.warm.toFixed(1)}, cold ${f.cold.toFixed(1)}`,
        }),
        checkClaim({
          id: 'cost-order',
          statement: 'cost warm < ideal < cold',
          expected: 'warm < ideal < cold',
          value: cost,
          holds: (k) => k.warm < k.ideal && k.ideal < k.cold,
          format: (k) => `warm ${Math.round(k.warm)}, ideal ${Math.round(k.ideal)}, cold ${Math.round(k.cold)}`,
        }),
      ],
    };
  },
});
