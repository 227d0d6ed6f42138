/**
 * langevin/classification — test error vs n for GLD (and fixed-width GD + weight decay) on two
 * classes separated by a margin (the teacher's sign, points within margin·std(f*) of its median
 * rejected), logistic loss, ≥ 20,000 test points. The paper predicts exponential decay of the
 * classification error in n under a margin condition; our design (the paper is theoretical).
 */
import { z } from 'zod';
import { defineExperiment } from '../experiment.ts';
import { lineChart } from '../../report/charts.ts';
import { checkClaim } from '../../report/claims.ts';
import { fitLine, logLogSlope } from '../../methods/langevin/index.ts';
import { CELL_METHODS, type CellConfig, type CellRow } from './cells.ts';
import { chainFields } from './shared-config.ts';
import { runCells } from './run-cells.ts';

const config = z
  .object({
    ...chainFields,
    seeds: z.number().int().min(1).default(3),
    ns: z.array(z.number().int().min(10)).min(2).default([100, 200, 400, 800, 1600]),
    width: z.number().int().min(1).default(100),
    /** Margin in units of std(f*) around the teacher's median. */
    margin: z.number().min(0).default(0.2),
    testSize: z.number().int().min(100).default(20_000),
    methods: z.array(z.enum(CELL_METHODS)).min(1).default(['gld', 'gd']),
    /** "Roughly exponential": the log-linear fit's R² at least this, slope < 0, and no worse than a power law's. */
    r2Min: z.number().min(0).max(1).default(0.8),
  })
  .strict();
type Config = z.infer<typeof config>;

export function classificationCells(c: Config): CellConfig[] {
  const cells: CellConfig[] = [];
  for (const method of c.methods)
    for (const n of c.ns)
      for (let seed = 0; seed < c.seeds; seed++) {
        cells.push({ ...c, task: 'classification', method, n, seed, noise: 0 });
      }
  return cells;
}

/** log of a test error with a continuity correction, so zero errors stay on a log scale: (k + ½)/(N + 1). */
export const smoothedError = (err: number, testSize: number): number => (err * testSize + 0.5) / (testSize + 1);

export const langevinClassification = defineExperiment({
  id: 'langevin/classification',
  title: 'Infinite-dimensional GLD: classification error vs n under a margin',
  paper:
    'Suzuki (2020), "Generalization bound of globally optimal non-convex neural network training: Transportation map estimation by infinite dimensional Langevin dynamics" (NeurIPS)',
  description:
    "Two classes separated by a margin around a 10-neuron teacher's level set; logistic loss; test error of the Gibbs-averaged GLD predictor vs n (log scale), log-linear and log-log fits, against GD + weight decay.",
  config,
  presets: {
    smoke: { ns: [40, 80], seeds: 1, steps: 40, width: 12, testSize: 500, gibbsThin: 5, probe: 32 },
    small: {},
    paper: { steps: 6000, seeds: 5, ns: [100, 200, 400, 800, 1600, 3200] },
  },
  async run(c, io) {
    return { rows: await runCells(classificationCells(c), io) };
  },
  report(r: { rows: CellRow[] }, c) {
    const methods = [...new Set(r.rows.map((x) => x.method))];
    const meanErr = (m: string, n: number) => {
      const xs = r.rows.filter((x) => x.method === m && x.n === n).map((x) => x.risk);
      return xs.reduce((s, v) => s + v, 0) / xs.length;
    };
    const fits = new Map(
      methods.map((m) => {
        const errs = c.ns.map((n) => smoothedError(meanErr(m, n), c.testSize));
        return [m, { lin: fitLine(c.ns, errs.map(Math.log)), pow: logLogSlope(c.ns, errs) }];
      }),
    );
    const g = fits.get('gld');
    return {
      title: this.title,
      summary:
        `Student width M = ${c.width}, margin ${c.margin}·std(f*), ${c.testSize} test points, ${c.steps} full-batch steps, η = ${c.lr}, β = ${c.betaPerN}·n, λ = ${c.lambdaBeta}/β. ` +
        `Errors are smoothed as (k + ½)/(N + 1) before taking logs. ` +
        methods
          .map((m) => {
            const x = fits.get(m)!;
            return `${m}: log-linear slope ${x.lin.slope.toExponential(2)} per sample (R² ${x.lin.r2.toFixed(3)}), log–log slope ${x.pow.slope.toFixed(3)} (R² ${x.pow.r2.toFixed(3)})`;
          })
          .join('; ') +
        '. The experiment design is ours (the paper is theoretical).',
      figures: [
        lineChart({
          id: 'test-error',
          title: 'Test error vs n (mean over seeds, min–max band; log y)',
          x: 'n',
          y: 'testError',
          series: 'method',
          logY: true,
          points: true,
          nonPositive: 'drop',
          data: r.rows.map((x) => ({ method: x.method, n: x.n, seed: x.seed, testError: smoothedError(x.risk, c.testSize) })),
          band: { over: 'seed' },
        }),
      ],
      tables: [
        {
          id: 'errors',
          title: 'Test error (mean over seeds)',
          columns: ['method', ...c.ns.map(String)],
          rows: methods.map((m) => [m, ...c.ns.map((n) => Number(meanErr(m, n).toPrecision(3)))]),
        },
        {
          id: 'fits',
          title: 'Fits of log(error)',
          columns: ['method', 'log-linear slope', 'log-linear R²', 'log-log slope', 'log-log R²'],
          rows: methods.map((m) => {
            const x = fits.get(m)!;
            return [m, Number(x.lin.slope.toPrecision(3)), Number(x.lin.r2.toFixed(3)), Number(x.pow.slope.toFixed(3)), Number(x.pow.r2.toFixed(3))];
          }),
        },
      ],
      claims: [
        checkClaim({
          id: 'gld-error-exponential',
          statement: `GLD's classification error falls roughly exponentially in n: log(error) is linear in n with R² ≥ ${c.r2Min}, negative slope, and fits at least as well as a power law`,
          expected: `slope < 0, R²(log-linear) ≥ ${c.r2Min}, R²(log-linear) ≥ R²(log-log)`,
          value: g,
          holds: (v) => v.lin.slope < 0 && v.lin.r2 >= c.r2Min && v.lin.r2 >= v.pow.r2,
          format: (v) => `log-linear slope ${v.lin.slope.toExponential(2)}, R² ${v.lin.r2.toFixed(3)}; log-log R² ${v.pow.r2.toFixed(3)}`,
        }),
      ],
    };
  },
});
