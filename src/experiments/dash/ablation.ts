/**
 * dash/ablation — DASH's λ × α grid on the warm-start protocol (λ = 1 is warm-starting; α = 1
 * uses the newest chunk's gradient only), plus cold and warm references, per seed.
 */
import { z } from 'zod';
import { defineExperiment } from '../experiment.ts';
import { heatMap } from '../../report/charts.ts';
import { checkClaim } from '../../report/claims.ts';
import type { CellConfig } from './cells.ts';
import { runCells } from './run-cells.ts';
import { baseCell, protocolChecks, protocolFields } from './warm-start-config.ts';

const config = protocolChecks(
  z
    .object({
      ...protocolFields,
      seeds: z.number().int().min(1).default(1),
      lambdas: z.array(z.number().gt(0).max(1)).min(1).default([0.05, 0.1, 0.3, 0.5, 1]),
      alphas: z.array(z.number().gt(0).max(1)).min(1).default([0.1, 0.3, 1]),
    })
    .strict(),
);

export interface AblationRow {
  lambda: number;
  alpha: number;
  seed: number;
  meanTestAccuracy: number;
  finalTestAccuracy: number;
  totalSteps: number;
  extraPasses: number;
}
export interface AblationResult {
  grid: AblationRow[];
  cold: AblationRow[];
  warm: AblationRow[];
  wallMs: number;
}

const mean = (xs: readonly number[]): number => (xs.length === 0 ? NaN : xs.reduce((a, b) => a + b, 0) / xs.length);

export const dashAblation = defineExperiment({
  id: 'dash/ablation',
  title: 'DASH ablation: the shrink floor λ × the gradient EMA weight α',
  paper: 'Shin, Oh, Cho, Yun (2024), "DASH: Warm-Starting Neural Network Training in Stationary Settings without Loss of Plasticity" (NeurIPS 2024)',
  description:
    'DASH on the chunked warm-start protocol over a λ × α grid (λ = 1 is warm-starting), with cold and warm references: mean test accuracy and total SGD steps per cell.',
  config,
  presets: {
    smoke: { trainSize: 240, testSize: 200, chunks: 3, hidden: 32, batchSize: 32, maxEpochs: 15, threshold: 0.99, lambdas: [0.3, 1], alphas: [0.3] },
    small: { trainSize: 4000, chunks: 5 },
    paper: { seeds: 3, maxEpochs: 100 },
  },
  async run(c, io) {
    const t0 = performance.now();
    const base = baseCell(c);
    const cells: CellConfig[] = [];
    for (let seed = io.seed; seed < io.seed + c.seeds; seed++) {
      cells.push({ ...base, strategy: 'cold', seed, dashLambda: 0.3, dashAlpha: 0.3 }, { ...base, strategy: 'warm', seed, dashLambda: 0.3, dashAlpha: 0.3 });
      for (const lambda of c.lambdas) for (const alpha of c.alphas) cells.push({ ...base, strategy: 'dash', seed, dashLambda: lambda, dashAlpha: alpha });
    }
    const out = await runCells(cells, io);
    const row = (r: (typeof out)[number]): AblationRow => ({
      lambda: r.cell.dashLambda,
      alpha: r.cell.dashAlpha,
      seed: r.cell.seed,
      meanTestAccuracy: r.meanTestAccuracy,
      finalTestAccuracy: r.finalTestAccuracy,
      totalSteps: r.totalSteps,
      extraPasses: r.totalExtraPasses,
    });
    return {
      grid: out.filter((r) => r.cell.strategy === 'dash').map(row),
      cold: out.filter((r) => r.cell.strategy === 'cold').map(row),
      warm: out.filter((r) => r.cell.strategy === 'warm').map(row),
      wallMs: performance.now() - t0,
    };
  },
  report(r, c) {
    const cell = (lambda: number, alpha: number) => {
      const rs = r.grid.filter((x) => x.lambda === lambda && x.alpha === alpha);
      return {
        lambda: String(lambda),
        alpha: String(alpha),
        meanTestAccuracy: mean(rs.map((x) => x.meanTestAccuracy)),
        totalSteps: mean(rs.map((x) => x.totalSteps)),
      };
    };
    const cells = c.lambdas.flatMap((l) => c.alphas.map((a) => cell(l, a)));
    const warmSteps = mean(r.warm.map((x) => x.totalSteps));
    const alphaRef = c.alphas.includes(0.3) ? 0.3 : c.alphas[0]!;
    const byLambda = [...c.lambdas].sort((a, b) => a - b).map((l) => cell(l, alphaRef));
    const claims = [
      checkClaim({
        id: 'lambda-1-is-warm',
        statement: 'λ = 1 takes exactly the SGD steps of warm-starting (no shrink)',
        expected: 'steps(λ = 1) = steps(warm) for every α',
        value: c.lambdas.includes(1) && r.warm.length > 0 ? c.alphas.map((a) => cell(1, a).totalSteps) : undefined,
        holds: (v) => v.every((s) => s === warmSteps),
        format: (v) => `λ = 1: ${v.map((s) => s.toFixed(0)).join(', ')}; warm ${warmSteps.toFixed(0)}`,
      }),
      checkClaim({
        id: 'cost-monotone-in-lambda',
        statement: `at α = ${alphaRef}, a smaller λ (more shrink) costs at least as many SGD steps (monotone trade-off)`,
        expected: 'steps non-increasing in λ',
        value: byLambda.length > 1 ? byLambda : undefined,
        holds: (v) => v.every((x, i) => i === 0 || x.totalSteps <= v[i - 1]!.totalSteps),
        format: (v) => v.map((x) => `λ ${x.lambda}: ${x.totalSteps.toFixed(0)} steps, ${(100 * x.meanTestAccuracy).toFixed(2)} %`).join('; '),
      }),
    ];
    return {
      title: this.title,
      summary:
        `DASH on ${c.trainSize} ${c.dataset} examples in ${c.chunks} chunks (label noise ${c.labelNoise}), ${c.seeds} seed(s), over λ ∈ {${c.lambdas.join(', ')}} × α ∈ {${c.alphas.join(', ')}}. ` +
        `References: cold ${(100 * mean(r.cold.map((x) => x.meanTestAccuracy))).toFixed(2)} % mean test accuracy in ${mean(r.cold.map((x) => x.totalSteps)).toFixed(0)} steps; ` +
        `warm ${(100 * mean(r.warm.map((x) => x.meanTestAccuracy))).toFixed(2)} % in ${warmSteps.toFixed(0)} steps. Sequential wall time ${(r.wallMs / 1000).toFixed(0)} s.`,
      figures: [
        heatMap({
          id: 'accuracy',
          title: 'Mean test accuracy (over chunks and seeds)',
          x: 'lambda',
          y: 'alpha',
          value: 'meanTestAccuracy',
          labels: true,
          data: cells,
        }),
        heatMap({ id: 'steps', title: 'Total SGD steps (mean over seeds)', x: 'lambda', y: 'alpha', value: 'totalSteps', labels: true, data: cells }),
      ],
      tables: [
        {
          id: 'grid',
          title: 'λ × α',
          columns: ['λ', 'α', 'mean test accuracy', 'total steps'],
          rows: cells.map((x) => [x.lambda, x.alpha, Number(x.meanTestAccuracy.toFixed(4)), Math.round(x.totalSteps)]),
        },
      ],
      claims,
    };
  },
});
