/** Tiny experiments for the experiments/ tests (not registered; not a test file itself). */
import { z } from 'zod';
import { checkClaim } from '../../src/report/claims.ts';
import { defineExperiment } from '../../src/experiments/experiment.ts';

const config = z.object({ steps: z.number().int().min(1).default(5), delayMs: z.number().int().min(0).default(0) }).strict();
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Logs one record per step (one stage), with a progress update each step; `delayMs` stretches it for watch tests. */
export const countingExperiment = (id = 'test/counting') =>
  defineExperiment({
    id,
    title: `Counting ${id}`,
    paper: 'none',
    description: 'counts',
    config,
    presets: { smoke: { steps: 3 }, small: {} },
    async run(c, io) {
      const total = await io.stage('count', async () => {
        let sum = 0;
        for (let step = 1; step <= c.steps; step++) {
          if (c.delayMs) await sleep(c.delayMs);
          sum += step;
          io.log({ step, sum });
          io.progress({ stage: 'count', step, total: c.steps, loss: 1 / step });
        }
        return sum;
      });
      return { total };
    },
    report: (r, c) => ({
      title: id,
      summary: `Counted to ${c.steps}.`,
      figures: [],
      tables: [],
      claims: [
        checkClaim({
          id: 'sum',
          statement: 'the sum is n(n+1)/2',
          expected: String((c.steps * (c.steps + 1)) / 2),
          value: r.total,
          holds: (v) => v === (c.steps * (c.steps + 1)) / 2,
        }),
      ],
    }),
  });

/** Fails inside run(), after logging a record. */
export const failingExperiment = (id = 'test/failing') =>
  defineExperiment({
    id,
    title: `Failing ${id}`,
    paper: 'none',
    description: 'fails',
    config,
    presets: { smoke: {}, small: {} },
    async run(_c, io): Promise<never> {
      io.log({ step: 1 });
      throw new Error('injected failure: the loss diverged at step 1');
    },
    report: () => ({ title: id, summary: '', figures: [], tables: [], claims: [] }),
  });
