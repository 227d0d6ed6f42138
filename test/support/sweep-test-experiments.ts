/**
 * Experiments for the sweeps/ tests and benchmark, as a module that workers (threads, queue
 * worker processes) can load by file URL: it exports `EXPERIMENTS` (see experiment-ref.ts).
 * Not registered; not a test file itself.
 */
import { checkClaim } from '../../src/report/claims.ts';
import { countingExperiment, failingExperiment } from './test-experiments.ts';
import type { Experiment } from '../../src/experiments/experiment.ts';

const counting = countingExperiment('test/counting');

/** Counting, with its own smoke grid and a claim across cells (what the method issues will do). */
const countingGrid = {
  ...countingExperiment('test/counting-grid'),
  sweep: {
    presets: { smoke: { axes: { grid: { steps: [2, 4, 8] } }, seeds: [0, 1] } },
    claimsAcross: (agg: import('../../src/experiments/sweep-types.ts').SweepAggregate) => {
      const totals = agg.points.map((p) => ({ steps: p.values['steps'] as number, total: p.metrics['total']?.mean ?? NaN })).sort((a, b) => a.steps - b.steps);
      const increasing = totals.every((t, i) => i === 0 || t.total > totals[i - 1]!.total);
      return [
        checkClaim({ id: 'grows', statement: 'the total grows with steps', expected: 'strictly increasing', value: increasing ? 1 : 0, holds: (v) => v === 1 }),
      ];
    },
  },
} satisfies Experiment<any, any>;

export const EXPERIMENTS: readonly Experiment<any, any>[] = [counting, countingGrid, failingExperiment('test/failing')];
