/** The run settings shared by the sgd-chaos experiments (zod fields) and the cell-list runner. */
import { z } from 'zod';
import { MNIST_TOTAL } from '../../data/mnist.ts';
import { RunInterrupted, type RunIO } from '../experiment.ts';
import type { RunSettings } from './train-cell.ts';

export const runFields = {
  trainSize: z
    .number()
    .int()
    .min(16)
    .max(MNIST_TOTAL - 100)
    .default(1000),
  /** Train loss/accuracy are measured on the first evalSize training digits. */
  evalSize: z.number().int().min(1).default(1000),
  /** PCA components of the 784 pixels (16 in the small runs; 256 = the paper's 16×16 input). */
  features: z.number().int().min(1).max(784).default(16),
  hidden: z.array(z.number().int().min(1)).min(1).default([10]),
  /** 0.02, so 2/η = 100 and 'chaotic' can differ from 'neg'. */
  lr: z.number().positive().default(0.02),
  batch: z.number().int().min(1).default(8),
  steps: z.number().int().min(1).default(1500),
  evalEvery: z.number().int().min(1).default(100),
  momentum: z.number().min(0).max(0.999).default(0),
  /** 'dense': exact Hessian + eigh every step; 'lanczos': top-k of both ends by Lanczos on HVPs. */
  spectrum: z.enum(['dense', 'lanczos']).default('dense'),
  lanczosK: z.number().int().min(1).default(20),
};

export function runSettings(c: RunSettings): RunSettings {
  const { trainSize, evalSize, features, hidden, lr, batch, steps, evalEvery, momentum, spectrum, lanczosK } = c;
  if (evalSize > trainSize) throw new Error(`evalSize (${evalSize}) must be at most trainSize (${trainSize})`);
  if (batch > trainSize) throw new Error(`batch (${batch}) must be at most trainSize (${trainSize})`);
  return { trainSize, evalSize, features, hidden, lr, batch, steps, evalEvery, momentum, spectrum, lanczosK };
}

/**
 * Runs a list of cells sequentially, one resumable stage each — the stand-in for a sweep: each
 * cell is evaluated by one pure function (cell, key) → row, so a sweep layer can take the list over.
 */
export async function runCells<C, R>(
  cells: readonly C[],
  name: (c: C) => string,
  evaluate: (c: C, log: (rec: Record<string, unknown>) => void) => R,
  io: RunIO,
): Promise<R[]> {
  const rows: R[] = [];
  for (const [i, cell] of cells.entries()) {
    if (io.signal.aborted) throw new RunInterrupted();
    rows.push(
      await io.stage(name(cell), () => {
        io.progress({ stage: name(cell), step: i, total: cells.length });
        return evaluate(cell, (rec) => io.log({ cell: name(cell), ...rec }));
      }),
    );
  }
  return rows;
}

export const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
export const range = (xs: readonly number[]): number => Math.max(...xs) - Math.min(...xs);
export const sig = (x: number, d = 4): number => Number(x.toPrecision(d));
