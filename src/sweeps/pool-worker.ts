/**
 * The code of one pool thread: run whole cells, posting progress on the task's port; an 'abort'
 * message on that port stops the cell at its next step boundary.
 */
import type { MessagePort } from 'node:worker_threads';
import { runCell, type CellOutcome, type CellTask } from './run-cell.ts';

export interface PoolJob {
  task: CellTask;
  port: MessagePort;
}

export type PoolMessage = { kind: 'progress'; update: import('../experiments/experiment.ts').ProgressUpdate };

export default async function runPoolJob({ task, port }: PoolJob): Promise<CellOutcome> {
  const controller = new AbortController();
  port.on('message', (m) => {
    if (m === 'abort') controller.abort();
  });
  try {
    return await runCell(task, (update) => port.postMessage({ kind: 'progress', update } satisfies PoolMessage), controller.signal);
  } finally {
    port.close();
  }
}
