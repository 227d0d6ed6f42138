/**
 * nqm/schedules — optimal piecewise-constant learning-rate schedules on the NQM (the notebook's
 * `ttl_sched`): steps to target with a 10-piece optimal schedule against the best constant LR,
 * across batch sizes, and the shape of the 50-piece optimal schedules.
 */
import { z } from 'zod';
import { lineChart } from '../../report/charts.ts';
import { checkClaim } from '../../report/claims.ts';
import type { ReportSpec } from '../../report/spec.ts';
import { defineExperiment, RunInterrupted } from '../experiment.ts';
import { lowerBoundSteps } from '../../methods/nqm/problem.ts';
import { tune } from '../../methods/nqm/tune.ts';
import { logspace } from '../../methods/nqm/grids.ts';
import { maxLogLr, scheduleStepsToTarget } from '../../methods/nqm/schedule.ts';
import { buildNqm, describeNqm, fmtSteps, nqmConfigShape } from './settings.ts';

const config = z
  .object({
    ...nqmConfigShape,
    p: z.number().min(0).max(1).default(0),
    /** Pieces of the schedule compared with the best constant LR (the notebook: 10). */
    npc: z.number().int().min(1).max(200).default(10),
    /** Batch sizes 2^e for the comparison. */
    batchExponents: z.array(z.number().int().min(0).max(30)).min(1).default([2, 4, 6, 8, 10, 12, 14, 16, 18, 20]),
    /** Pieces of the schedule-shape plot (the notebook: 50) and its batch sizes (the notebook: 2^4 … 2^12). */
    shapeNpc: z.number().int().min(1).max(200).default(50),
    shapeBatchExponents: z.array(z.number().int().min(0).max(30)).default([4, 5, 6, 7, 8, 9, 10, 11, 12]),
  })
  .strict();
export type SchedulesConfig = z.infer<typeof config>;

export interface ComparisonRow {
  B: number;
  /** Best constant LR on the notebook's SGD grid logspace(−5, 0.5, 100). */
  constantSteps: number | null;
  constantLr: number | null;
  /** The same optimizer with one piece: the best constant LR below the schedule's cap (no grid). */
  constantCappedSteps: number | null;
  scheduleSteps: number | null;
  stepsPerPiece: number | null;
  lrs: number[] | null;
  lowerBound: number;
}
export interface ShapeRow {
  B: number;
  npc: number;
  steps: number | null;
  lrs: number[] | null;
}
export interface SchedulesResult {
  nqm: Record<string, unknown>;
  p: number;
  npc: number;
  maxLr: number;
  comparison: ComparisonRow[];
  shapes: ShapeRow[];
}

export const schedules = defineExperiment({
  id: 'nqm/schedules',
  title: 'Noisy quadratic model: optimal piecewise-constant learning-rate schedules',
  paper:
    'Zhang, Li, Nado, Martens, Sachdeva, Dahl, Shallue & Grosse (2019), "Which Algorithmic Choices Matter at Which Batch Sizes? Insights From a Noisy Quadratic Model" (NeurIPS)',
  description:
    "Steps to the target loss with an optimal npc-piece constant schedule (log-LRs optimized by a bounded L-BFGS on the exact closed form, gradients by the Tensor engine) against the best constant learning rate, across batch sizes; and the optimal schedules' shapes.",
  config,
  presets: {
    smoke: { batchExponents: [2, 18], shapeNpc: 10, shapeBatchExponents: [8] },
    small: {},
    paper: { batchExponents: Array.from({ length: 20 }, (_, i) => i + 2) },
  },
  async run(c, io) {
    const nqm = buildNqm(c);
    const comparison: ComparisonRow[] = [];
    const total = c.batchExponents.length + c.shapeBatchExponents.length;
    let done = 0;
    for (const e of c.batchExponents) {
      if (io.signal.aborted) throw new RunInterrupted();
      const B = 2 ** e;
      io.progress({ stage: `compare B=${B}`, step: done++, total });
      comparison.push(
        await io.stage(`compare-B${B}`, () => {
          const [constant] = tune(nqm, 'sgd', c.p, [B], c.target, { lrs: logspace(-5, 0.5, 100) });
          // A k known to reach the target with every piece at the best constant LR narrows the search.
          const hint = constant!.steps === null ? undefined : Math.ceil((constant!.steps + 1) / c.npc);
          const capped = scheduleStepsToTarget(nqm, c.p, B, c.target, 1, constant!.steps === null ? undefined : constant!.steps + 1);
          const s = scheduleStepsToTarget(nqm, c.p, B, c.target, c.npc, hint);
          const row: ComparisonRow = {
            B,
            constantSteps: constant!.steps,
            constantLr: constant!.lr,
            constantCappedSteps: capped.steps,
            scheduleSteps: s.steps,
            stepsPerPiece: s.stepsPerPiece,
            lrs: s.lrs,
            lowerBound: lowerBoundSteps(c.d, c.target, B),
          };
          io.log({ ...row, lrs: s.lrs === null ? null : [...s.lrs] });
          return row;
        }),
      );
    }
    const shapes: ShapeRow[] = [];
    for (const e of c.shapeBatchExponents) {
      if (io.signal.aborted) throw new RunInterrupted();
      const B = 2 ** e;
      io.progress({ stage: `shape B=${B}`, step: done++, total });
      shapes.push(
        await io.stage(`shape-B${B}`, () => {
          const [constant] = tune(nqm, 'sgd', c.p, [B], c.target);
          const hint = constant!.steps === null ? undefined : Math.ceil((constant!.steps + 1) / c.shapeNpc);
          const s = scheduleStepsToTarget(nqm, c.p, B, c.target, c.shapeNpc, hint);
          return { B, npc: c.shapeNpc, steps: s.steps, lrs: s.lrs };
        }),
      );
    }
    return { nqm: describeNqm(c, nqm), p: c.p, npc: c.npc, maxLr: Math.exp(maxLogLr(c.p)), comparison, shapes };
  },
  report(r, c) {
    const cmp = r.comparison;
    const data = cmp.flatMap((x) => [
      ...(x.constantSteps === null ? [] : [{ B: x.B, steps: x.constantSteps, curve: 'best constant LR (notebook grid)' }]),
      ...(x.constantCappedSteps === null ? [] : [{ B: x.B, steps: x.constantCappedSteps, curve: 'best constant LR (optimized, same cap)' }]),
      ...(x.scheduleSteps === null ? [] : [{ B: x.B, steps: x.scheduleSteps, curve: `optimal ${r.npc}-piece schedule` }]),
      { B: x.B, steps: x.lowerBound, curve: 'lower bound d/(2CB)' },
    ]);
    const shapeData = [...r.shapes, ...cmp.map((x) => ({ B: x.B, npc: r.npc, steps: x.scheduleSteps, lrs: x.lrs }))]
      .filter((s) => s.lrs !== null && s.npc === c.shapeNpc)
      .flatMap((s) => s.lrs!.map((lr, i) => ({ piece: i + 1, lr, curve: `B = ${s.B}` })));
    const tenPiece = cmp.filter((x) => x.lrs !== null).flatMap((x) => x.lrs!.map((lr, i) => ({ piece: i + 1, lr, curve: `B = ${x.B}` })));
    const figures: ReportSpec['figures'] = [
      lineChart({
        id: 'steps-vs-batch',
        title: `Steps to target: optimal ${r.npc}-piece schedule vs constant LR`,
        data,
        x: 'B',
        y: 'steps',
        series: 'curve',
        logX: true,
        logY: true,
        points: true,
        xTitle: 'batch size B',
        yTitle: 'steps to target',
      }),
    ];
    if (tenPiece.length > 0)
      figures.push(
        lineChart({
          id: 'schedules-compare',
          title: `Optimal ${r.npc}-piece schedules`,
          data: tenPiece,
          x: 'piece',
          y: 'lr',
          series: 'curve',
          logY: true,
          points: true,
          xTitle: 'piece',
          yTitle: 'learning rate',
        }),
      );
    if (shapeData.length > 0)
      figures.push(
        lineChart({
          id: 'schedule-shapes',
          title: `Optimal ${c.shapeNpc}-piece schedules (shape)`,
          data: shapeData,
          x: 'piece',
          y: 'lr',
          series: 'curve',
          logY: true,
          xTitle: 'piece',
          yTitle: 'learning rate',
        }),
      );
    const at = (B: number): ComparisonRow | undefined => cmp.find((x) => x.B === B);
    const ratio = (x: ComparisonRow | undefined): number | null =>
      x && x.constantSteps !== null && x.scheduleSteps !== null ? x.constantSteps / x.scheduleSteps : null;
    const b4 = at(4);
    const b18 = at(2 ** 18);
    return {
      title: this.title,
      summary:
        `The NQM (d = ${c.d}, ${c.binning === 'bins' ? `the notebook's ${c.bins} geometric bins` : 'exact d-dimensional evaluation'}, target ${c.target}, p = ${r.p}). ` +
        `For each batch size, the notebook's bisection on the steps per piece k, re-optimizing the ${r.npc} log-LRs at every probe (bounded L-BFGS from −5, upper bound log(2/(1 + 10^(−4(1−p)) + 1e-4)), so LR ≤ ${r.maxLr.toFixed(4)}), ` +
        "against the best constant LR on the notebook's SGD grid (largest stable value 1.896) and, for reference, the best constant LR optimized under the same cap. Totals are npc·k with the notebook's step convention.",
      figures,
      tables: [
        {
          id: 'comparison',
          title: 'Steps to target',
          columns: ['B', 'constant (grid)', 'constant LR', 'constant (same cap)', `${r.npc}-piece schedule`, 'constant/schedule', 'lower bound'],
          rows: cmp.map((x) => [
            x.B,
            x.constantSteps,
            x.constantLr === null ? null : Number(x.constantLr.toPrecision(4)),
            x.constantCappedSteps,
            x.scheduleSteps,
            ratio(x) === null ? null : Number(ratio(x)!.toFixed(3)),
            Number(x.lowerBound.toPrecision(4)),
          ]),
        },
      ],
      claims: [
        checkClaim({
          id: 'schedule-small-batch',
          statement: `an optimal ${r.npc}-piece schedule needs ≥ 2× fewer steps than the best constant LR at B = 4`,
          expected: 'T_constant / T_schedule ≥ 2',
          value: ratio(b4),
          holds: (v) => v >= 2,
          format: (v) => `${v.toFixed(3)} (${fmtSteps(b4?.constantSteps)} vs ${fmtSteps(b4?.scheduleSteps)})`,
        }),
        checkClaim({
          id: 'schedule-large-batch',
          statement: `an optimal ${r.npc}-piece schedule differs by ≤ 5 % from the best constant LR at B = 2^18`,
          expected: '|T_schedule / T_constant − 1| ≤ 0.05',
          value: ratio(b18) === null ? null : 1 / ratio(b18)! - 1,
          holds: (v) => Math.abs(v) <= 0.05,
          format: (v) =>
            `${(100 * v).toFixed(2)} % (${fmtSteps(b18?.scheduleSteps)} vs ${fmtSteps(b18?.constantSteps)} on the grid; vs the best constant LR under the same cap: ${fmtSteps(b18?.constantCappedSteps)})`,
        }),
      ],
    };
  },
});
