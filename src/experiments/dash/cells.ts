/**
 * One warm-start cell = one (strategy, seed, hyperparameters) protocol run, as a pure function
 * `evaluateCell(cell) → CellResult`: the unit a sweep schedules on a worker. `trainscope run`
 * evaluates a study's cells one after another (run-cells.ts); `trainscope sweep` runs one cell
 * per (strategy, seed) on the pool or the queue and states the claims across cells.
 */
import * as random from '../../tensor/random.ts';
import type { Key } from '../../tensor/prng.ts';
import { loadMnist } from '../../data/mnist.ts';
import { loadFashionMnist } from '../../data/idx.ts';
import { momentum } from '../../optim/aliases.ts';
import type { Examples } from '../../train/train-step.ts';
import { splitChunks, withLabelNoise } from '../../methods/dash/chunks.ts';
import { runWarmStart, type Strategy } from '../../methods/dash/protocol.ts';
import { bnMlp } from './model.ts';

export interface CellConfig {
  strategy: Strategy;
  seed: number;
  dataset: 'mnist' | 'fashion-mnist';
  trainSize: number;
  testSize: number;
  chunks: number;
  hidden: number;
  depth: number;
  batchSize: number;
  lr: number;
  momentum: number;
  threshold: number;
  evalEvery?: number;
  maxEpochs: number;
  labelNoise: number;
  dashLambda: number;
  dashAlpha: number;
  dashBatchSize?: number;
  dashOrder: 'oldest-first' | 'newest-first';
  spLambda: number;
  spSigma: number;
  l2InitC: number;
  resetOptimizer: boolean;
  probe: boolean;
}

/** The machine-readable row (issue 18): one per strategy, seed and chunk. */
export interface WarmStartRow {
  strategy: Strategy;
  seed: number;
  chunk: number;
  testAccuracy: number;
  steps: number;
  extraPasses: number;
}

export interface CellResult {
  cell: CellConfig;
  rows: WarmStartRow[];
  /** Per chunk: which chunks hit the epoch cap, train accuracy reached, probe. */
  capped: number[];
  trainAccuracy: number[];
  probeCosine: number[];
  totalSteps: number;
  totalExtraPasses: number;
  meanTestAccuracy: number;
  finalTestAccuracy: number;
  /** Wall time of the cell (not deterministic; kept out of metrics.jsonl). */
  wallMs: number;
}

const dataCache = new Map<string, { train: Examples; test: Examples }>();

function loadData(c: CellConfig): { train: Examples; test: Examples } {
  const id = `${c.dataset}:${c.trainSize}:${c.testSize}`;
  let d = dataCache.get(id);
  if (!d) {
    d =
      c.dataset === 'fashion-mnist'
        ? loadFashionMnist(undefined, { train: c.trainSize, test: c.testSize })
        : loadMnist({ train: c.trainSize, test: c.testSize });
    dataCache.set(id, d);
  }
  return d;
}

/**
 * The seed alone picks the chunk split, label noise and initialization: every strategy of a seed
 * sees the same ones, and a cell is the same computation whether a whole study runs it (seeds
 * run seed … run seed + seeds − 1) or a sweep does (one cell per strategy and run seed).
 */
export async function evaluateCell(c: CellConfig, signal?: AbortSignal, onChunk?: (chunk: number, testAccuracy: number) => void): Promise<CellResult> {
  const t0 = performance.now();
  const { train, test } = loadData(c);
  const seedKey = random.key(c.seed);
  const [kSplit, kNoise, kRun] = random.split(seedKey, 3) as [Key, Key, Key];
  const noisy = withLabelNoise(train, c.labelNoise, 10, kNoise);
  const chunks = splitChunks(noisy, c.chunks, kSplit);
  const model = bnMlp([784, ...Array.from({ length: c.depth }, () => c.hidden), 10]);
  const r = await runWarmStart({
    model,
    optimizer: momentum(c.lr, c.momentum),
    chunks,
    test,
    strategy: c.strategy,
    key: kRun,
    batchSize: c.batchSize,
    threshold: c.threshold,
    evalEvery: c.evalEvery,
    maxEpochs: c.maxEpochs,
    dash: { lambda: c.dashLambda, alpha: c.dashAlpha, batchSize: c.dashBatchSize, order: c.dashOrder },
    shrinkPerturb: { lambda: c.spLambda, sigma: c.spSigma },
    l2InitC: c.l2InitC,
    resetOptimizer: c.resetOptimizer,
    probe: c.probe,
    signal,
    ...(onChunk ? { onChunk: (ch: { chunk: number; testAccuracy: number }) => onChunk(ch.chunk, ch.testAccuracy) } : {}),
  });
  const rows = r.chunks.map((ch) => ({
    strategy: c.strategy,
    seed: c.seed,
    chunk: ch.chunk,
    testAccuracy: ch.testAccuracy,
    steps: ch.steps,
    extraPasses: ch.extraPasses,
  }));
  const last = r.chunks[r.chunks.length - 1];
  return {
    cell: c,
    rows,
    capped: r.chunks.filter((ch) => ch.capped).map((ch) => ch.chunk),
    trainAccuracy: r.chunks.map((ch) => ch.trainAccuracy),
    probeCosine: r.chunks.flatMap((ch) => (ch.probeCosine === undefined ? [] : [ch.probeCosine])),
    totalSteps: rows.reduce((a, b) => a + b.steps, 0),
    totalExtraPasses: rows.reduce((a, b) => a + b.extraPasses, 0),
    meanTestAccuracy: last ? last.meanTestAccuracy : NaN,
    finalTestAccuracy: last ? last.testAccuracy : NaN,
    wallMs: performance.now() - t0,
  };
}
