/**
 * langevin/width — narrow vs wide students at one n: the spread over seeds of GLD's and GD's
 * excess risk from the same inits. The paper's global-optimality result suggests GLD's spread is
 * small at every width while GD can land in init-dependent local minima, most visibly when the
 * student is narrow. Our design (the paper is theoretical).
 */
import { z } from 'zod';
import { defineExperiment } from '../experiment.ts';
import { scatterChart } from '../../report/charts.ts';
import { checkClaim } from '../../report/claims.ts';
import { seedDisagreement } from '../../methods/langevin/index.ts';
import { CELL_METHODS, type CellConfig, type CellRow } from './cells.ts';
import { chainFields, spread } from './shared-config.ts';
import { runCells } from './run-cells.ts';

const config = z
  .object({
    ...chainFields,
    n: z.number().int().min(10).default(400),
    widths: z.array(z.number().int().min(1)).min(2).default([10, 100]),
    noise: z.number().min(0).default(0.1),
    testSize: z.number().int().min(100).default(10_000),
    methods: z.array(z.enum(CELL_METHODS)).min(1).default(['gld', 'gd']),
  })
  .strict();
type Config = z.infer<typeof config>;

export function widthCells(c: Config): CellConfig[] {
  const cells: CellConfig[] = [];
  for (const method of c.methods)
    for (const width of c.widths)
      for (let seed = 0; seed < c.seeds; seed++) {
        cells.push({ ...c, task: 'regression', method, n: c.n, seed, width, margin: 0 });
      }
  return cells;
}

export const langevinWidth = defineExperiment({
  id: 'langevin/width',
  title: 'Infinite-dimensional GLD: narrow vs wide students, spread over seeds',
  paper:
    'Suzuki (2020), "Generalization bound of globally optimal non-convex neural network training: Transportation map estimation by infinite dimensional Langevin dynamics" (NeurIPS)',
  description:
    'Excess risk of GLD and GD + weight decay from the same inits at a narrow and a wide student width; spread (std/mean) and prediction disagreement over seeds.',
  config,
  presets: {
    smoke: { n: 60, widths: [4, 12], seeds: 2, steps: 40, testSize: 400, gibbsThin: 5, probe: 32 },
    small: {},
    paper: { steps: 6000, seeds: 10, widths: [5, 10, 50, 200] },
  },
  async run(c, io) {
    return { rows: await runCells(widthCells(c), io) };
  },
  report(r: { rows: CellRow[] }, c) {
    const methods = [...new Set(r.rows.map((x) => x.method))];
    const group = (m: string, w: number) => r.rows.filter((x) => x.method === m && x.width === w);
    const stat = (m: string, w: number) => spread(group(m, w).map((x) => x.risk));
    const narrow = Math.min(...c.widths);
    const gN = stat('gld', narrow);
    const dN = stat('gd', narrow);
    return {
      title: this.title,
      summary: `n = ${c.n}, widths ${c.widths.join(', ')}, ${c.seeds} seeds (GD starts from each seed's GLD init), ${c.steps} steps, η = ${c.lr}, β = ${c.betaPerN}·n, λ = ${c.lambdaBeta}/β. Spread = std/mean of the excess risk over seeds. The experiment design is ours (the paper is theoretical).`,
      figures: [
        scatterChart({
          id: 'risk-by-seed',
          title: 'Excess risk per seed by width',
          x: 'width',
          y: 'excessRisk',
          color: 'method',
          logX: true,
          logY: true,
          nonPositive: 'drop',
          data: r.rows.map((x) => ({ method: x.method, width: x.width, seed: x.seed, excessRisk: x.risk })),
        }),
      ],
      tables: [
        {
          id: 'spread',
          title: 'Spread over seeds',
          columns: ['method', 'width', 'mean excess risk', 'std', 'std/mean', 'seed disagreement'],
          rows: methods.flatMap((m) =>
            c.widths.map((w) => {
              const s = stat(m, w);
              const g = group(m, w);
              return [
                m,
                w,
                Number(s.mean.toExponential(3)),
                Number(s.std.toExponential(2)),
                Number(s.cv.toFixed(3)),
                g.length >= 2 ? Number(seedDisagreement(g.map((x) => x.probe)).toFixed(4)) : null,
              ];
            }),
          ),
        },
      ],
      claims: [
        checkClaim({
          id: 'gd-spreads-more-narrow',
          statement: `At the narrow width (M = ${narrow}) GD + weight decay from the same inits spreads more over seeds than GLD (std/mean)`,
          expected: 'cv(GD) > cv(GLD)',
          value: c.seeds >= 2 && group('gld', narrow).length && group('gd', narrow).length ? { g: gN.cv, d: dN.cv } : undefined,
          holds: (v) => v.d > v.g,
          format: (v) => `GD ${v.d.toFixed(3)}, GLD ${v.g.toFixed(3)}`,
        }),
      ],
    };
  },
});
