/**
 * langevin/teacher-student — excess risk vs n for semi-implicit GLD, GD + weight decay, SGLD
 * (and optionally pSGLD) on the notes' teacher, against a random-features kernel ridge baseline.
 * The paper has no experiments: this design follows papers/6-langevin.md §6.3 (our choices are
 * listed in methods/langevin/README.md).
 */
import { z } from 'zod';
import { defineExperiment } from '../experiment.ts';
import { lineChart } from '../../report/charts.ts';
import { checkClaim } from '../../report/claims.ts';
import { logLogSlope, seedDisagreement } from '../../methods/langevin/index.ts';
import { CELL_METHODS, type CellConfig, type CellRow } from './cells.ts';
import { chainFields, median, spread } from './shared-config.ts';
import { runCells } from './run-cells.ts';

const config = z
  .object({
    ...chainFields,
    ns: z.array(z.number().int().min(10)).min(2).default([100, 200, 400, 800, 1600]),
    width: z.number().int().min(1).default(100),
    noise: z.number().min(0).default(0.1),
    testSize: z.number().int().min(100).default(10_000),
    methods: z.array(z.enum(CELL_METHODS)).min(1).default(['gld', 'gd', 'sgld', 'kernel']),
    /** "Small spread" threshold: the median over n of GLD's std/mean of excess risk over seeds. */
    spreadMax: z.number().positive().default(0.25),
  })
  .strict();
type Config = z.infer<typeof config>;

/** The grid: every (method, n, seed), in that order. */
export function teacherStudentCells(c: Config): CellConfig[] {
  const cells: CellConfig[] = [];
  for (const method of c.methods)
    for (const n of c.ns)
      for (let seed = 0; seed < c.seeds; seed++) {
        cells.push({ ...c, task: 'regression', method, n, seed, margin: 0 });
      }
  return cells;
}

export const langevinTeacherStudent = defineExperiment({
  id: 'langevin/teacher-student',
  title: 'Infinite-dimensional GLD: excess risk vs n (teacher–student regression)',
  paper:
    'Suzuki (2020), "Generalization bound of globally optimal non-convex neural network training: Transportation map estimation by infinite dimensional Langevin dynamics" (NeurIPS)',
  description:
    'Two-layer student (M neurons, ℋ_K prior μ_m = m^−p) trained by semi-implicit GLD, GD + weight decay and SGLD on a 10-neuron teacher, x ~ U[−1,1]^d; excess risk of the Gibbs-averaged predictor vs n with log–log slopes, against random-features kernel ridge.',
  config,
  presets: {
    smoke: { ns: [40, 80], seeds: 2, steps: 40, width: 12, testSize: 400, features: 100, gibbsThin: 5, probe: 32 },
    small: {},
    paper: { steps: 6000, seeds: 5, methods: ['gld', 'gd', 'sgld', 'psgld', 'kernel'] },
  },
  async run(c, io) {
    return { rows: await runCells(teacherStudentCells(c), io) };
  },
  report(r: { rows: CellRow[] }, c) {
    const methods = [...new Set(r.rows.map((x) => x.method))];
    const meanRisk = (m: string, n: number) => spread(r.rows.filter((x) => x.method === m && x.n === n).map((x) => x.risk));
    const slopes = new Map(
      methods.map((m) => [
        m,
        logLogSlope(
          c.ns,
          c.ns.map((n) => meanRisk(m, n).mean),
        ),
      ]),
    );
    const gld = slopes.get('gld');
    const kernel = slopes.get('kernel');
    const gldCv = median(c.ns.map((n) => meanRisk('gld', n).cv));
    const mixing = c.ns.map((n) => {
      const g = r.rows.filter((x) => x.method === 'gld' && x.n === n);
      return [
        n,
        Number(median(g.map((x) => x.ess)).toFixed(1)),
        Number(median(g.map((x) => x.tau)).toFixed(1)),
        g.length >= 2 ? Number(seedDisagreement(g.map((x) => x.probe)).toFixed(4)) : null,
      ];
    });
    const f = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? 'n/a' : x.toFixed(3));
    return {
      title: this.title,
      summary:
        `Student width M = ${c.width}, d = ${c.inputDim}, teacher with ${c.active} active neurons, noise ${c.noise}; ${c.steps} full-batch steps, η = ${c.lr}, β = ${c.betaPerN}·n, λ = ${c.lambdaBeta}/β; ` +
        `the Gibbs average is over the last ${c.gibbsTail} of the chain, every ${c.gibbsThin}-th iterate. Excess risk = E(f̂ − f*)² on ${c.testSize} test points. ` +
        `Log–log slopes of the seed-mean excess risk vs n: ${methods.map((m) => `${m} ${f(slopes.get(m)?.slope)}`).join(', ')}. ` +
        `The experiment design is ours (the paper is theoretical).`,
      figures: [
        lineChart({
          id: 'excess-risk',
          title: 'Excess risk vs n (mean over seeds, min–max band)',
          x: 'n',
          y: 'excessRisk',
          series: 'method',
          logX: true,
          logY: true,
          points: true,
          nonPositive: 'drop',
          data: r.rows.map((x) => ({ method: x.method, n: x.n, seed: x.seed, excessRisk: x.risk })),
          band: { over: 'seed' },
        }),
      ],
      tables: [
        {
          id: 'slopes',
          title: 'Fitted log–log slopes',
          columns: ['method', 'slope', 'R²'],
          rows: methods.map((m) => [m, Number(f(slopes.get(m)!.slope)), Number(f(slopes.get(m)!.r2))]),
        },
        {
          id: 'risk',
          title: 'Excess risk (mean ± std over seeds)',
          columns: ['method', ...c.ns.map(String)],
          rows: methods.map((m) => [
            m,
            ...c.ns.map((n) => {
              const s = meanRisk(m, n);
              return `${s.mean.toExponential(2)} ± ${s.std.toExponential(1)}`;
            }),
          ]),
        },
        {
          id: 'mixing',
          title: 'GLD mixing: loss-trace ESS and τ over the Gibbs window (median over seeds), seed disagreement of the Gibbs predictor',
          columns: ['n', 'ESS', 'τ (steps)', 'seed disagreement'],
          rows: mixing,
        },
      ],
      claims: [
        checkClaim({
          id: 'gld-slope-steeper-than-half',
          statement: "GLD's excess-risk log–log slope in n is steeper than −0.5",
          expected: 'slope < −0.5',
          value: gld?.slope,
          holds: (v) => v < -0.5,
          format: (v) => `slope ${v.toFixed(3)} (R² ${gld!.r2.toFixed(3)})`,
        }),
        checkClaim({
          id: 'gld-slope-vs-kernel',
          statement: "GLD's slope is at least as steep as the random-features kernel baseline's",
          expected: 'slope(GLD) ≤ slope(kernel)',
          value: gld && kernel ? { g: gld.slope, k: kernel.slope } : undefined,
          holds: (v) => v.g <= v.k,
          format: (v) => `GLD ${v.g.toFixed(3)}, kernel ${v.k.toFixed(3)}`,
        }),
        checkClaim({
          id: 'gld-spread-small',
          statement: `GLD's spread over seeds is small: median over n of std/mean of the excess risk ≤ ${c.spreadMax}`,
          expected: `≤ ${c.spreadMax}`,
          value: c.seeds >= 2 ? gldCv : undefined,
          holds: (v) => v <= c.spreadMax,
          format: (v) => v.toFixed(3),
        }),
      ],
    };
  },
});
