/**
 * The code of one pool thread: run whole cells, posting progress on the task's port; an 'abort'
 * message on that port stops the cell at its next step boundary.
 */
import type { MessagePort } from 'node:worker_threads';
import type { ProgressUpdate } from '../experiments/experiment.ts';
import { runCell, type CellOutcome, type CellTask } from './run-cell.ts';

export interface PoolJob {
  task: CellTask;
  port: MessagePort;
}

export type PoolMessage = { kind: 'progress'; update: ProgressUpdate };

/**
 * At most one progress message per PROGRESS_MS (plus every stage change and stage end): a cell
 * reports every step, and a message per step cost ≈ 0.15 ms on each side, a tenth of a small
 * cell's time, for a terminal that redraws a few times a second anyway.
 */
const PROGRESS_MS = 100;

export function throttledProgress(post: (u: ProgressUpdate) => void, ms = PROGRESS_MS): (u: ProgressUpdate) => void {
  let last = -Infinity;
  let stage: string | undefined;
  return (u) => {
    const now = performance.now();
    if (u.stage !== stage || u.step >= u.total || now - last >= ms) {
      stage = u.stage;
      last = now;
      post(u);
    }
  };
}

export default async function runPoolJob({ task, port }: PoolJob): Promise<CellOutcome> {
  const controller = new AbortController();
  port.on('message', (m) => {
    if (m === 'abort') controller.abort();
  });
  try {
    const progress = throttledProgress((update) => port.postMessage({ kind: 'progress', update } satisfies PoolMessage));
    return await runCell(task, progress, controller.signal);
  } finally {
    port.close();
  }
}
