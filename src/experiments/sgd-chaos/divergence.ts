/**
 * sgd-chaos/divergence — Fig. 3 analogue: a reference and five twins perturbed at initialization
 * (ε relative to ‖θ₀‖) along Lyapunov / random directions, trained by SGD on identical batches;
 * distance curves and the fit d² = a·t + b·t² + d₀² after the train accuracy plateaus.
 */
import { z } from 'zod';
import { lineChart } from '../../report/charts.ts';
import { checkClaim } from '../../report/claims.ts';
import { defineExperiment } from '../experiment.ts';
import { evaluateDivergenceCell, type DivergenceCell, type DivergenceRow } from './divergence-cell.ts';
import { runCells, runSettings, runFields, sig } from './settings.ts';

const config = z
  .object({
    ...runFields,
    steps: z.number().int().min(1).default(10000),
    seeds: z.number().int().min(1).default(2),
    eps: z.array(z.number()).min(1).default([1e-3]),
    /** Steps of the reference run whose Jacobian product gives the Lyapunov vectors. */
    lyapunovSteps: z.number().int().min(1).default(100),
    logEvery: z.number().int().min(1).default(200),
    plateauTol: z.number().min(0).max(1).default(0.02),
  })
  .strict();
type Config = z.infer<typeof config>;

export function divergenceCells(c: Config): DivergenceCell[] {
  for (const e of c.eps) if (!(e > 0) || !Number.isFinite(e)) throw new Error(`divergence: every eps must be a finite number > 0, got ${e}`);
  const s = runSettings(c);
  return c.eps.flatMap((eps) =>
    Array.from({ length: c.seeds }, (_, seed) => ({ ...s, seed, eps, lyapunovSteps: c.lyapunovSteps, logEvery: c.logEvery, plateauTol: c.plateauTol })),
  );
}

export interface DivergenceResult {
  rows: DivergenceRow[];
}

export const divergence = defineExperiment({
  id: 'sgd-chaos/divergence',
  title: 'Chaos in SGD: divergence of twins perturbed at initialization',
  paper: 'Herrmann, Granz & Landgraf (2022), "Chaotic Dynamics are Intrinsic to Neural Network Training with SGD" (NeurIPS)',
  description:
    'A reference 16-10-10 MLP and twins perturbed by ε·‖θ₀‖ along max-chaos / random-chaos / max-convergence / random-convergence / random directions (Lyapunov vectors from exact mini-batch Hessians), trained by SGD on the same batches; distances and the fit d² = a·t + b·t² + d₀² with R².',
  config,
  presets: {
    smoke: { trainSize: 200, evalSize: 200, hidden: [6], steps: 120, logEvery: 10, seeds: 1, lyapunovSteps: 20, plateauTol: 0.05 },
    small: {},
    paper: { trainSize: 8000, evalSize: 2000, steps: 40000, logEvery: 500, seeds: 3, eps: [1e-1, 1e-3], lyapunovSteps: 300 },
  },
  async run(c, io) {
    const rows = await runCells(
      divergenceCells(c),
      (x) => `eps${x.eps}-seed${x.seed}`,
      (cell, log) => evaluateDivergenceCell(cell, io.key, (rec) => log(rec)),
      io,
    );
    return { rows } satisfies DivergenceResult;
  },
  report: (r: DivergenceResult, c) => {
    const dirs = r.rows.flatMap((row) => row.directions.map((d) => ({ ...d, seed: row.seed, eps: row.eps })));
    const minR2 = dirs.length ? Math.min(...dirs.map((d) => d.fit.r2)) : null;
    const allAB = dirs.length ? dirs.every((d) => d.fit.a > 0 && d.fit.b > 0) : null;
    const grow = dirs.length ? Math.min(...dirs.map((d) => d.dEnd / d.dPlateau)) : null;
    return {
      title: 'Divergence of perturbed twins under SGD',
      summary:
        `${c.seeds} seed(s) × ε ∈ {${c.eps.join(', ')}} (relative to ‖θ₀‖), ${c.steps} SGD steps, lr ${c.lr}, batch ${c.batch}. ` +
        `Lyapunov vectors from the first ${c.lyapunovSteps} steps of the reference. The fit uses the logged points from the plateau on ` +
        `(first log with train accuracy ≥ final − ${c.plateauTol}), with t counted from the plateau and d₀ = d(plateau).`,
      figures: [
        lineChart({
          id: 'distance',
          title: 'Distance to the reference',
          x: 'step',
          y: 'd',
          series: 'run',
          logY: true,
          nonPositive: 'drop',
          data: dirs.flatMap((d) => d.curve.map((p) => ({ ...p, run: `${d.kind} ε=${d.eps} s${d.seed}` }))),
        }),
        lineChart({
          id: 'reference-acc',
          title: 'Reference train accuracy',
          x: 'step',
          y: 'acc',
          series: 'run',
          data: r.rows.flatMap((row) => row.reference.map((p) => ({ ...p, run: `ε=${row.eps} s${row.seed}` }))),
        }),
      ],
      tables: [
        {
          id: 'fit',
          title: 'Fit d² = a·t + b·t² + d₀² after the plateau',
          columns: ['direction', 'ε', 'seed', 'plateau step', 'd(plateau)', 'd(end)', 'a', 'b', 'R²'],
          rows: dirs.map((d) => [
            d.kind,
            d.eps,
            d.seed,
            r.rows.find((x) => x.seed === d.seed && x.eps === d.eps)!.plateauStep,
            sig(d.dPlateau),
            sig(d.dEnd),
            sig(d.fit.a),
            sig(d.fit.b),
            sig(d.fit.r2),
          ]),
        },
      ],
      claims: [
        checkClaim({
          id: 'keeps-diverging',
          statement: 'Twins keep diverging after train accuracy plateaus (every direction, seed, ε)',
          expected: 'min d(end)/d(plateau) > 1',
          value: grow,
          holds: (v) => v > 1,
        }),
        checkClaim({
          id: 'fit-a-b-positive',
          statement: 'The fit has a > 0 and b > 0 for every curve',
          expected: 'all a, b > 0',
          value: allAB,
          holds: (v) => v,
          format: (v) =>
            `${v ? 'all' : 'not all'} positive; a ∈ [${sig(Math.min(...dirs.map((d) => d.fit.a)))}, ${sig(Math.max(...dirs.map((d) => d.fit.a)))}], b ∈ [${sig(Math.min(...dirs.map((d) => d.fit.b)))}, ${sig(Math.max(...dirs.map((d) => d.fit.b)))}]`,
        }),
        checkClaim({
          id: 'fit-r2',
          statement: 'The fit explains the curves: R² > 0.95 for every curve',
          expected: 'min R² > 0.95',
          value: minR2,
          holds: (v) => v > 0.95,
        }),
      ],
    };
  },
});
