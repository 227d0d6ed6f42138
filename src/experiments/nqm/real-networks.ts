/**
 * nqm/real-networks — the NQM's prediction checked on a real network (method notes §2.6 N6): steps
 * to a target *full* training loss vs batch size for SGD, heavy-ball momentum, Adam and K-FAC on an
 * MLP over the MNIST digits. One run is one cell (optimizer, B, LR, seed); the grid runs as a sweep
 * (`trainscope sweep nqm/real-networks --preset small`), whose `claimsAcross` takes the fewest steps
 * over the LR grid per (optimizer, B), fits B_crit per optimizer and sets it beside the NQM's.
 */
import { z } from 'zod';
import { loadMnist, MNIST_TOTAL } from '../../data/mnist.ts';
import { mlp } from '../../nn/mlp.ts';
import { adam, kfac, momentum, sgd } from '../../optim/aliases.ts';
import type { GradientTransformation } from '../../optim/transform.ts';
import { evaluate, NonFiniteLossError, trainAsync, type TrainHook } from '../../train/trainer.ts';
import { defineExperiment, RunInterrupted } from '../experiment.ts';
import { REAL_NETWORK_SWEEPS, realNetworkClaims, realNetworkFigures } from './real-networks-analysis.ts';

export const OPTIMIZERS = ['sgd', 'momentum', 'adam', 'kfac'] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];

const config = z
  .object({
    optimizer: z.enum(OPTIMIZERS).default('sgd'),
    batchSize: z.number().int().min(1).max(MNIST_TOTAL).default(64),
    lr: z.number().finite().positive().default(0.1),
    /** Training examples (B may go up to this: full batch). */
    trainSize: z
      .number()
      .int()
      .min(16)
      .max(MNIST_TOTAL - 16)
      .default(1024),
    hidden: z.number().int().min(1).max(2048).default(32),
    /** Target of the loss over the whole training set (softmax cross-entropy). */
    targetLoss: z.number().positive().default(0.3),
    /** Step budget; a run that has not reached the target by then is "unreachable" (steps null). */
    maxSteps: z.number().int().min(1).max(1_000_000).default(5000),
    /** The full training loss is measured at every step up to `denseUntil`, then every ~`checkGrowth`× (a resolution of that factor). */
    denseUntil: z.number().int().min(1).default(20),
    checkGrowth: z.number().gt(1).max(2).default(1.05),
    /** A full training loss above this (or non-finite) ends the run as diverged (the initial loss is ≈ ln 10 ≈ 2.3). */
    divergeAbove: z.number().positive().default(5),
    momentum: z.number().min(0).lt(1).default(0.9),
    kfacDamping: z.number().finite().positive().default(0.03),
    kfacInverseEvery: z.number().int().min(1).default(10),
  })
  .strict()
  .refine(
    (c) => c.batchSize <= c.trainSize,
    (c) => ({
      message: `batchSize ${c.batchSize} is larger than trainSize ${c.trainSize}: a batch cannot hold more examples than the training set`,
    }),
  );
export type RealNetworksConfig = z.infer<typeof config>;

export interface RealNetworksResult {
  optimizer: OptimizerName;
  batchSize: number;
  lr: number;
  /** Steps to the first measured full training loss ≤ target; null when not reached (budget or divergence). */
  steps: number | null;
  diverged: boolean;
  /** The last measured full training loss. */
  finalTrainLoss: number;
  /** Steps run. */
  ran: number;
}

export function makeOptimizer(name: OptimizerName, c: RealNetworksConfig): GradientTransformation<any> {
  switch (name) {
    case 'sgd':
      return sgd(c.lr);
    case 'momentum':
      return momentum(c.lr, c.momentum);
    case 'adam':
      return adam(c.lr);
    case 'kfac':
      return kfac(c.lr, { damping: c.kfacDamping, inverseEvery: c.kfacInverseEvery });
  }
}

/** Steps at which the full training loss is measured: 1…denseUntil, then each ≥ growth × the previous. */
export function checkSteps(denseUntil: number, growth: number, max: number): Set<number> {
  const out = new Set<number>();
  let s = 1;
  while (s <= max) {
    out.add(s);
    s = s < denseUntil ? s + 1 : Math.max(s + 1, Math.ceil(s * growth));
  }
  out.add(max);
  return out;
}

export const realNetworks = defineExperiment({
  id: 'nqm/real-networks',
  title: 'Critical batch size on a real network: SGD, momentum, Adam and K-FAC on an MNIST MLP',
  paper:
    'Zhang, Li, Nado, Martens, Sachdeva, Dahl, Shallue & Grosse (2019), "Which Algorithmic Choices Matter at Which Batch Sizes? Insights From a Noisy Quadratic Model" (NeurIPS), §5',
  description:
    'One cell of the steps-to-target grid: an MLP 784-h-10 (ReLU) on the MNIST digits trained with one optimizer, batch size and learning rate until the full training loss reaches the target. Run the grid with `trainscope sweep nqm/real-networks --preset small`; the sweep report fits B_crit per optimizer and compares with the NQM.',
  config,
  presets: {
    smoke: { trainSize: 256, hidden: 8, targetLoss: 1.0, maxSteps: 300, optimizer: 'adam', batchSize: 32, lr: 0.01 },
    small: {},
    paper: { trainSize: 8000, hidden: 128, targetLoss: 0.1 },
  },
  sweep: {
    presets: REAL_NETWORK_SWEEPS,
    metrics: (r: RealNetworksResult) => ({
      steps: r.steps ?? NaN,
      reached: r.steps === null ? 0 : 1,
      diverged: r.diverged ? 1 : 0,
      finalTrainLoss: r.finalTrainLoss,
    }),
    claimsAcross: (agg) => realNetworkClaims(agg),
    figuresAcross: (agg) => realNetworkFigures(agg),
  },
  async run(c, io): Promise<RealNetworksResult> {
    return io.stage('train', async (): Promise<RealNetworksResult> => {
      const { train: trainSet } = loadMnist({ train: c.trainSize, test: 16 });
      const model = mlp({ sizes: [784, c.hidden, 10], activation: 'relu' });
      const checks = checkSteps(c.denseUntil, c.checkGrowth, c.maxSteps);
      let last = NaN;
      let diverged = false;
      // The minibatch loss is too noisy to define "reached": measure the whole training set at geometric steps.
      const fullLoss: TrainHook = {
        name: 'full-train-loss',
        metrics: ['fullTrainLoss'],
        afterStep(v) {
          if (!checks.has(v.step)) return undefined;
          last = evaluate(model, v.params, trainSet).loss;
          v.log({ fullTrainLoss: last });
          io.progress({ stage: `${c.optimizer} B=${c.batchSize} lr=${c.lr}`, step: v.step, total: c.maxSteps, loss: last });
          if (!Number.isFinite(last) || last > c.divergeAbove) {
            diverged = true;
            return 'stop';
          }
          return undefined;
        },
      };
      let steps: number | null = null;
      let ran = 0;
      try {
        const run = await trainAsync({
          model,
          optimizer: makeOptimizer(c.optimizer, c),
          train: trainSet,
          batchSize: c.batchSize,
          steps: c.maxSteps,
          seed: io.seed,
          evalEvery: 0,
          evalAtEnd: false,
          logEvery: 0,
          signal: io.signal,
          hooks: [fullLoss],
          stopAt: { metric: 'fullTrainLoss', atMost: c.targetLoss },
          onRecord: (m) => io.log({ ...m }),
        });
        if (run.stoppedBy === 'abort') throw new RunInterrupted();
        ran = run.state.step;
        if (run.stoppedBy === 'target') steps = ran;
      } catch (e) {
        if (!(e instanceof NonFiniteLossError)) throw e;
        diverged = true;
        ran = e.step;
      }
      return { optimizer: c.optimizer, batchSize: c.batchSize, lr: c.lr, steps, diverged, finalTrainLoss: last, ran };
    });
  },
  report(r: RealNetworksResult, c) {
    const outcome =
      r.steps !== null
        ? `reached the target after ${r.steps} steps`
        : r.diverged
          ? `diverged after ${r.ran} steps`
          : `did not reach the target within ${c.maxSteps} steps`;
    return {
      title: this.title,
      summary:
        `One cell: ${c.optimizer} with B = ${c.batchSize}, learning rate ${c.lr}, on an MLP 784-${c.hidden}-10 over ${c.trainSize} MNIST digits; ` +
        `the full training loss (measured at every step up to ${c.denseUntil}, then every ~${c.checkGrowth}×) ${outcome} (target ${c.targetLoss}; last measured ${r.finalTrainLoss.toPrecision(4)}). ` +
        'The study is the sweep: `trainscope sweep nqm/real-networks --preset small`.',
      figures: [],
      tables: [
        {
          id: 'cell',
          title: 'This cell',
          columns: ['optimizer', 'B', 'lr', 'steps to target', 'diverged', 'final full train loss'],
          rows: [[r.optimizer, r.batchSize, r.lr, r.steps, r.diverged ? 'yes' : 'no', Number(r.finalTrainLoss.toPrecision(5))]],
        },
      ],
      claims: [],
    };
  },
});
