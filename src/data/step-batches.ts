/**
 * Batches addressed by optimizer step, for training loops: step s reads batch s mod E of epoch
 * ⌊s / E⌋ (E = ⌊n / batchSize⌋ steps per epoch; the last partial batch is dropped), and epoch e's
 * order is permutation(foldIn(key, e), n). A batch depends only on (data, batchSize, key, step),
 * so two models stepped in lockstep see the same examples, and a run continued from step s reads
 * exactly what an uninterrupted one would have.
 */
import { fmt } from '../tensor/shape.ts';
import { Tensor } from '../tensor/tensor.ts';
import * as random from '../tensor/random.ts';
import type { Key } from '../tensor/random.ts';
import { takeRows } from './loader.ts';

export interface StepBatch {
  readonly x: Tensor;
  readonly y: Tensor;
  /** Which rows of the data this batch holds, in batch order. */
  readonly indices: Int32Array;
  readonly epoch: number;
}

export interface StepBatcher {
  readonly stepsPerEpoch: number;
  readonly batchSize: number;
  /** The batch of optimizer step `step` (0-based). */
  at(step: number): StepBatch;
}

export function stepBatches(data: { readonly x: Tensor; readonly y: Tensor }, batchSize: number, key: Key): StepBatcher {
  if (!data || !(data.x instanceof Tensor) || !(data.y instanceof Tensor)) throw new Error('stepBatches: data must be { x: Tensor, y: Tensor }');
  const n = data.x.shape[0] ?? 0;
  if (data.y.shape[0] !== n) throw new Error(`stepBatches: x ${fmt(data.x.shape)} and y ${fmt(data.y.shape)} have different numbers of examples`);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > n) {
    throw new Error(`stepBatches: batchSize must be an integer in [1, ${n}] (the number of examples), got ${String(batchSize)}`);
  }
  const stepsPerEpoch = Math.floor(n / batchSize);
  let order: Int32Array | undefined;
  let orderEpoch = -1;
  return {
    stepsPerEpoch,
    batchSize,
    at(step: number): StepBatch {
      if (!Number.isInteger(step) || step < 0) throw new Error(`stepBatches: step must be a non-negative integer, got ${String(step)}`);
      const epoch = Math.floor(step / stepsPerEpoch);
      if (epoch !== orderEpoch) {
        order = random.permutation(random.foldIn(key, epoch), n).data as Int32Array;
        orderEpoch = epoch;
      }
      const start = (step % stepsPerEpoch) * batchSize;
      const indices = order!.slice(start, start + batchSize);
      return { x: takeRows(data.x, indices, 'stepBatches'), y: takeRows(data.y, indices, 'stepBatches'), indices, epoch };
    },
  };
}

/** Rows [start, end) of t along axis 0, sharing t's memory (tensors are immutable, so no copy is needed). */
export function rowRange(t: Tensor, start: number, end: number): Tensor {
  const n = t.shape[0] ?? 0;
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > n || start > end) {
    throw new Error(`rowRange: [${start}, ${end}) is not a row range of a tensor with ${n} rows`);
  }
  const row = n === 0 ? 0 : t.size / n;
  return new Tensor(t.data.subarray(start * row, end * row), [end - start, ...t.shape.slice(1)], t.dtype);
}
