/**
 * sgd-chaos/lyapunov — the number of positive finite-time Lyapunov exponents over training (Benettin
 * QR in float64, windowed), for SGD and for CGD-neg's projected Hessian, optionally with momentum.
 */
import { z } from 'zod';
import { lineChart } from '../../report/charts.ts';
import { checkClaim } from '../../report/claims.ts';
import { defineExperiment } from '../experiment.ts';
import { evaluateLyapunovCell, type LyapunovCell, type LyapunovRow } from './lyapunov-cell.ts';
import { mean, runCells, runSettings, runFields, sig } from './settings.ts';

const config = z
  .object({
    ...runFields,
    steps: z.number().int().min(1).default(1500),
    seeds: z.number().int().min(1).default(1),
    modes: z
      .array(z.enum(['sgd', 'neg']))
      .min(1)
      .default(['sgd', 'neg']),
    /** Exponents are measured over consecutive windows of this many steps. */
    window: z.number().int().min(1).default(150),
  })
  .strict();
type Config = z.infer<typeof config>;

export function lyapunovCells(c: Config): LyapunovCell[] {
  const s = runSettings(c);
  return c.modes.flatMap((mode) => Array.from({ length: c.seeds }, (_, seed) => ({ ...s, seed, mode, window: c.window })));
}

export interface LyapunovResult {
  rows: LyapunovRow[];
}

export const lyapunov = defineExperiment({
  id: 'sgd-chaos/lyapunov',
  title: 'Chaos in SGD: positive finite-time Lyapunov exponents over training',
  paper: 'Herrmann, Granz & Landgraf (2022), "Chaotic Dynamics are Intrinsic to Neural Network Training with SGD" (NeurIPS)',
  description:
    "All finite-time Lyapunov exponents of SGD (and of CGD-neg's projected Hessian) on a 16-10-10 MLP from exact mini-batch Hessians, by QR re-orthonormalization in float64 over windows; the count of positive exponents as training converges.",
  config,
  presets: {
    smoke: { trainSize: 200, evalSize: 200, hidden: [6], steps: 60, window: 20, modes: ['sgd'] },
    small: {},
    paper: { trainSize: 8000, evalSize: 2000, steps: 20000, window: 1000, seeds: 3 },
  },
  async run(c, io) {
    const rows = await runCells(
      lyapunovCells(c),
      (x) => `${x.mode}-seed${x.seed}`,
      (cell, log) => evaluateLyapunovCell(cell, io.key, (w) => log({ ...w })),
      io,
    );
    return { rows } satisfies LyapunovResult;
  },
  report: (r: LyapunovResult, c) => {
    const sgd = r.rows.filter((x) => x.mode === 'sgd' && x.windows.length >= 2);
    const first = sgd.length ? mean(sgd.map((x) => x.windows[0]!.positive)) : null;
    const last = sgd.length ? mean(sgd.map((x) => x.windows.at(-1)!.positive)) : null;
    const data = r.rows.flatMap((x) => x.windows.map((w) => ({ ...w, run: `${x.mode} s${x.seed}` })));
    return {
      title: 'Positive finite-time Lyapunov exponents over training',
      summary:
        `Exponents over consecutive windows of ${c.window} steps (the orthonormal frame carries over; the log sums restart), ${c.steps} steps, lr ${c.lr}, batch ${c.batch}, momentum ${c.momentum}. ` +
        'A positive exponent is a direction the linearized map expanded on average over the window.',
      figures: [
        lineChart({ id: 'positive', title: 'Positive exponents per window', x: 'step', y: 'positive', series: 'run', data, points: true }),
        lineChart({ id: 'loss', title: 'Train loss', x: 'step', y: 'loss', series: 'run', data }),
      ],
      tables: [
        {
          id: 'windows',
          title: 'Per window',
          columns: ['run', 'step', 'positive', 'max exponent', 'loss', 'acc'],
          rows: data.map((w) => [w.run, w.step, w.positive, sig(w.maxExponent), sig(w.loss), sig(w.acc)]),
        },
      ],
      claims: [
        checkClaim({
          id: 'positive-falls',
          statement: 'The number of positive Lyapunov exponents falls as training converges (SGD, last window vs first)',
          expected: 'last < first',
          value: first === null || last === null ? null : last - first,
          holds: (v) => v < 0,
          format: (v) => `first ${sig(first!)} → last ${sig(last!)} (change ${sig(v)})`,
        }),
      ],
    };
  },
});
