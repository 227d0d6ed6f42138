/**
 * sgd-chaos/pruned-sgd — Fig. 1 / Fig. 2a analogue of Herrmann et al. (2022): SGD against CGD that
 * removes the negative (or positive, or chaotic) eigen-directions of the mini-batch Hessian from
 * every gradient, a random-directions control of the same size, and a prune-start sweep.
 */
import { z } from 'zod';
import { lineChart } from '../../report/charts.ts';
import { checkClaim } from '../../report/claims.ts';
import { defineExperiment } from '../experiment.ts';
import { evaluateTrainCell, type Mode, type TrainCell, type TrainRow } from './train-cell.ts';
import { mean, range, runCells, runSettings, runFields, sig } from './settings.ts';

const config = z
  .object({
    ...runFields,
    seeds: z.number().int().min(1).default(3),
    modes: z
      .array(z.enum(['sgd', 'neg', 'pos', 'chaotic', 'random']))
      .min(1)
      .default(['sgd', 'neg', 'pos', 'chaotic', 'random']),
    /** CGD-neg prune starts (Fig. 2a); 0 is the main grid's CGD-neg. */
    starts: z.array(z.number().int().min(0)).min(1).default([0, 200, 500, 1000]),
  })
  .strict();
type Config = z.infer<typeof config>;

/** The grid as an explicit list: modes × seeds at start 0, then CGD-neg × later starts × seeds. */
export function prunedSgdCells(c: Config): TrainCell[] {
  const s = runSettings(c);
  const cells: TrainCell[] = [];
  for (const mode of c.modes) for (let seed = 0; seed < c.seeds; seed++) cells.push({ ...s, mode, seed, start: 0 });
  for (const start of c.starts) {
    if (start === 0) continue;
    for (let seed = 0; seed < c.seeds; seed++) cells.push({ ...s, mode: 'neg', seed, start });
  }
  return cells;
}

export interface PrunedSgdResult {
  rows: TrainRow[];
}

const cellName = (c: TrainCell) => `${c.mode}-start${c.start}-seed${c.seed}`;

export const prunedSgd = defineExperiment({
  id: 'sgd-chaos/pruned-sgd',
  title: 'Chaos in SGD: training with the negative-curvature directions pruned (CGD)',
  paper: 'Herrmann, Granz & Landgraf (2022), "Chaotic Dynamics are Intrinsic to Neural Network Training with SGD" (NeurIPS)',
  description:
    'SGD vs CGD-neg/pos/chaotic (exact mini-batch Hessian + eigh every step) and a random-directions control of the same size on PCA-16 MNIST with a 16-10-10 MLP, batch 8, lr 0.02, 3 seeds; CGD-neg prune-start sweep {0, 200, 500, 1000}.',
  config,
  presets: {
    smoke: { trainSize: 200, evalSize: 200, hidden: [6], steps: 40, evalEvery: 20, seeds: 2, starts: [0, 20] },
    small: {},
    // The paper's 256-20-10 MLP (5,350 parameters): Lanczos top-k of both ends instead of a dense eigh.
    paper: {
      trainSize: 7000,
      evalSize: 2000,
      features: 256,
      hidden: [20],
      lr: 1e-3,
      steps: 20000,
      evalEvery: 1000,
      spectrum: 'lanczos',
      lanczosK: 20,
      modes: ['sgd', 'neg', 'random'],
      starts: [0, 2000, 5000, 10000],
    },
  },
  async run(c, io) {
    const rows = await runCells(prunedSgdCells(c), cellName, (cell, log) => evaluateTrainCell(cell, io.key, (p) => log({ ...p })), io);
    return { rows } satisfies PrunedSgdResult;
  },
  report: (r: PrunedSgdResult, c) => {
    const at0 = (mode: Mode) => r.rows.filter((x) => x.mode === mode && x.start === 0).map((x) => x.finalLoss);
    const sgdL = at0('sgd');
    const gapOf = (xs: number[]) => (xs.length && sgdL.length ? mean(xs) - mean(sgdL) : null);
    const negL = at0('neg'),
      rndL = at0('random');
    const negGap = gapOf(negL),
      rndGap = gapOf(rndL);
    const spread = negL.length && sgdL.length ? Math.max(range(negL), range(sgdL)) : null;
    const startGaps = c.starts.map((s) => ({ start: s, gap: gapOf(r.rows.filter((x) => x.mode === 'neg' && x.start === s).map((x) => x.finalLoss)) }));
    const curveRows = r.rows.flatMap((x) => x.curve.map((p) => ({ ...p, seed: x.seed, run: x.start === 0 ? x.mode : `neg@${x.start}` })));
    return {
      title: 'CGD: SGD with the chaotic directions pruned',
      summary:
        `Final train loss (mean over ${c.seeds} seed(s), ${c.steps} steps, lr ${c.lr}, batch ${c.batch}, MLP ${[c.features, ...c.hidden, 10].join('-')}, ${c.spectrum} spectrum). ` +
        'CGD projects each mini-batch gradient onto the kept eigen-directions of the same mini-batch Hessian; "random" prunes as many eigen-directions as CGD-neg would, chosen uniformly. ' +
        'λ = 0 directions are kept (neutral), unlike the reference code.',
      figures: [
        lineChart({ id: 'train-loss', title: 'Train loss', x: 'step', y: 'loss', series: 'run', data: curveRows, band: { over: 'seed' } }),
        lineChart({ id: 'train-acc', title: 'Train accuracy', x: 'step', y: 'acc', series: 'run', data: curveRows, band: { over: 'seed' } }),
      ],
      tables: [
        {
          id: 'final',
          title: 'Final train loss / accuracy and directions pruned per step',
          columns: ['run', 'seeds', 'loss (mean)', 'loss (range)', 'acc (mean)', 'pruned / step', 'gap to SGD'],
          rows: [...new Set(r.rows.map((x) => `${x.mode}@${x.start}`))].map((id) => {
            const xs = r.rows.filter((x) => `${x.mode}@${x.start}` === id);
            const L = xs.map((x) => x.finalLoss);
            return [
              id,
              xs.length,
              sig(mean(L)),
              sig(range(L)),
              sig(mean(xs.map((x) => x.finalAcc))),
              sig(mean(xs.map((x) => x.meanPruned)), 3),
              gapOf(L) === null ? null : sig(gapOf(L)!),
            ];
          }),
        },
      ],
      claims: [
        checkClaim({
          id: 'neg-hurts',
          statement: 'Removing the negative-curvature directions hurts training: CGD-neg final train loss above SGD by more than the seed spread',
          expected: 'gap − max(seed range) > 0',
          value: negGap === null || spread === null ? null : negGap - spread,
          holds: (v) => v > 0,
          format: (v) => `gap ${sig(negGap!)} − spread ${sig(spread!)} = ${sig(v)}`,
        }),
        checkClaim({
          id: 'random-hurts-less',
          statement: 'A random-directions control of the same size hurts less than CGD-neg',
          expected: 'random gap < neg gap',
          value: negGap === null || rndGap === null ? null : rndGap - negGap,
          holds: (v) => v < 0,
          format: (v) => `random ${sig(rndGap!)} vs neg ${sig(negGap!)} (difference ${sig(v)})`,
        }),
        checkClaim({
          id: 'later-start-hurts-less',
          statement: 'A later prune start hurts less: every later start has a smaller CGD-neg gap than start 0',
          expected: 'gap(s) < gap(0) for all s > 0',
          value: startGaps.length < 2 || startGaps.some((s) => s.gap === null) ? null : startGaps.map((s) => s.gap!),
          holds: (g) => g.slice(1).every((x) => x < g[0]!),
          format: (g) => startGaps.map((s, i) => `${s.start}: ${sig(g[i]!)}`).join(', '),
        }),
      ],
    };
  },
});
