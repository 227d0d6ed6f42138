/**
 * spectral/hessian-spectrum — the Hessian spectrum of an MLP on MNIST at initialization and after
 * SGD training: top and bottom eigenvalues by Lanczos (with residuals), Hutchinson trace, SLQ
 * density, and — when the model is small enough — the exact spectrum by dense eigh, against
 * which Lanczos and power iteration (PyHessian's method) are compared in HVPs.
 * The Hessian is the full-batch one over `hessianExamples` training digits (chunked).
 */
import { z } from 'zod';
import { loadMnist, MNIST_TOTAL } from '../../data/mnist.ts';
import { mlp } from '../../nn/mlp.ts';
import { sgd } from '../../optim/aliases.ts';
import { trainAsync } from '../../train/trainer.ts';
import { foldIn } from '../../tensor/prng.ts';
import { mean, reshape, slice } from '../../tensor/ops.ts';
import { softmaxCrossEntropy } from '../../tensor/composed.ts';
import type { Tensor } from '../../tensor/tensor.ts';
import type { Tree } from '../../tensor/tree.ts';
import { fullBatchHessianOperator, type ExamplesLike } from '../../spectral/index.ts';
import { defineExperiment, RunInterrupted } from '../experiment.ts';
import { analyzePhase, type PhaseResult } from './analyze.ts';
import { spectrumReport } from './report.ts';

const config = z
  .object({
    /** Average-pool the 28×28 digits by this factor (4 → 7×7 = 49 inputs) so a small model stays dense-solvable. */
    pool: z.union([z.literal(1), z.literal(2), z.literal(4), z.literal(7)]).default(2),
    hidden: z.array(z.number().int().min(1).max(1024)).min(1).default([16]),
    activation: z.enum(['tanh', 'relu', 'gelu', 'softplus']).default('tanh'),
    trainSize: z.number().int().min(10).max(MNIST_TOTAL).default(4000),
    /** The Hessian is the full-batch one over the first this-many training digits. */
    hessianExamples: z.number().int().min(1).max(MNIST_TOTAL).default(1000),
    chunkSize: z.number().int().min(1).default(500),
    batchSize: z.number().int().min(1).default(64),
    steps: z.number().int().min(0).default(600),
    lr: z.number().positive().default(0.1),
    top: z.number().int().min(1).default(10),
    bottom: z.number().int().min(1).default(5),
    lanczosTol: z.number().positive().default(1e-10),
    lanczosMaxIter: z.number().int().min(2).default(300),
    hutchinsonProbes: z.number().int().min(2).default(100),
    slqProbes: z.number().int().min(2).default(10),
    slqSteps: z.number().int().min(2).default(80),
    gridPoints: z.number().int().min(10).default(400),
    denseMaxParams: z.number().int().min(0).default(4000),
    compareK: z.number().int().min(1).default(5),
    compareRtol: z.number().positive().default(1e-6),
  })
  .strict()
  .refine((c) => c.hessianExamples <= c.trainSize, { message: 'hessianExamples must be at most trainSize', path: ['hessianExamples'] });
export type HessianSpectrumConfig = z.infer<typeof config>;

export interface HessianSpectrumResult {
  sizes: number[];
  phases: PhaseResult[];
  finalTrainLoss: number | null;
}

function pooled(x: Tensor, pool: number): Tensor {
  if (pool === 1) return x;
  const n = x.shape[0]!;
  const s = 28 / pool;
  return reshape(mean(reshape(x, [n, s, pool, s, pool]), [2, 4]), [n, s * s]);
}

export const hessianSpectrum = defineExperiment({
  id: 'spectral/hessian-spectrum',
  title: 'Hessian spectrum of an MNIST MLP: Lanczos ends, trace, SLQ density, exact check',
  paper:
    'Yao, Gholami, Keutzer & Mahoney (2020), "PyHessian: Neural Networks Through the Lens of the Hessian"; Ghorbani, Krishnan & Xiao (2019), "An Investigation into Neural Net Optimization via Hessian Eigenvalue Density"',
  description:
    'Top-10 / bottom-5 Hessian eigenvalues with residuals, Hutchinson trace and SLQ density of an MLP on pooled MNIST digits, at initialization and after SGD; exact dense spectrum for small models; HVPs of Lanczos vs power iteration.',
  config,
  presets: {
    smoke: {
      pool: 4,
      hidden: [8],
      trainSize: 400,
      hessianExamples: 128,
      chunkSize: 128,
      steps: 40,
      hutchinsonProbes: 30,
      slqProbes: 4,
      slqSteps: 30,
      gridPoints: 200,
    },
    small: {},
    paper: { pool: 1, hidden: [64], trainSize: 8000, hessianExamples: 2000, steps: 2000, slqProbes: 20, slqSteps: 100, hutchinsonProbes: 200 },
  },
  async run(c, io) {
    const { train } = loadMnist({ train: c.trainSize, test: Math.min(100, MNIST_TOTAL - c.trainSize) });
    const x = pooled(train.x, c.pool);
    const data = { x, y: train.y, numClasses: 10, name: `mnist-pool${c.pool}` };
    const hx: ExamplesLike = { x: slice(x, [0, 0], [c.hessianExamples, x.shape[1]!]), y: slice(train.y, [0], [c.hessianExamples]) };
    const sizes = [x.shape[1]!, ...c.hidden, 10];
    const model = mlp({ sizes, activation: c.activation });
    const loss = (p: Tree, b: ExamplesLike): Tensor => softmaxCrossEntropy(model.apply(p as never, b.x), b.y);
    const params0 = model.init(foldIn(io.key, 'init'));
    const opts = { ...c };
    const phase = (name: string, params: Tree): PhaseResult => {
      io.progress({ stage: name, step: 0, total: 1 });
      const op = fullBatchHessianOperator(loss, params, hx, { chunkSize: c.chunkSize });
      const r = analyzePhase(name, op, foldIn(io.key, name), opts);
      io.log({ phase: name, params: r.params, lambdaMax: r.top.values[0], lambdaMin: r.bottom.values[0], trace: r.trace.value, traceStdErr: r.trace.stdErr });
      return r;
    };
    const init = await io.stage('init', async () => phase('init', params0));
    const trained = await io.stage('trained', async () => {
      const run = await trainAsync({
        model,
        optimizer: sgd(c.lr),
        train: data,
        batchSize: c.batchSize,
        steps: c.steps,
        params: params0,
        seed: io.seed,
        signal: io.signal,
        logEvery: Math.max(1, Math.floor(c.steps / 20)),
        onStep: ({ step, loss: l }) => io.progress({ stage: 'train', step, total: c.steps, loss: l }),
      });
      if (run.stoppedBy === 'abort') throw new RunInterrupted();
      const losses = run.metrics.filter((m) => 'loss' in m).map((m) => m['loss']!);
      return { ...phase('trained', run.params), finalTrainLoss: losses.at(-1) ?? null };
    });
    const { finalTrainLoss, ...trainedPhase } = trained;
    return { sizes, phases: [init, trainedPhase], finalTrainLoss };
  },
  report: (r, c) => spectrumReport(r, c),
});
