/**
 * The code of one pool process (pool.ts): runs whole cells, one at a time, on request
 * over the IPC channel, posting throttled progress; an 'abort' message stops the running cell at
 * its next step boundary. Ctrl-C in a terminal reaches the whole process group: the child ignores
 * SIGINT/SIGTERM/SIGHUP itself and waits for its parent's 'abort', so every cell stops at a step
 * boundary the same way. When the parent goes away (the IPC channel closes), the child stops its
 * cell and exits.
 */
import type { ProgressUpdate } from '../experiments/experiment.ts';
import { throttledProgress } from './progress-throttle.ts';
import { runCell, type CellOutcome, type CellTask } from './run-cell.ts';

export type ToChild = { kind: 'run'; task: CellTask } | { kind: 'abort' };
export type FromChild = { kind: 'progress'; update: ProgressUpdate } | { kind: 'done'; outcome: CellOutcome } | { kind: 'ready' };

const send = (m: FromChild): void => {
  // After the parent is gone there is no one to tell (and send would throw).
  if (process.connected) process.send?.(m);
};

let controller: AbortController | undefined;
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, () => {});
process.on('disconnect', () => {
  controller?.abort();
  // A cell that is running stops at its next step boundary (checkpoints kept), then we exit.
  if (!controller) process.exit(0);
});
process.on('message', (m: ToChild) => {
  if (m.kind === 'abort') controller?.abort();
  else if (m.kind === 'run') void run(m.task);
});

async function run(task: CellTask): Promise<void> {
  controller = new AbortController();
  let outcome: CellOutcome;
  try {
    outcome = await runCell(
      task,
      throttledProgress((update) => send({ kind: 'progress', update })),
      controller.signal,
    );
  } catch (e) {
    outcome = { status: 'failed', error: (e as Error).message, backend: 'unknown', trainscope: 'unknown', ran: true };
  }
  controller = undefined;
  if (!process.connected) process.exit(0);
  send({ kind: 'done', outcome });
}

send({ kind: 'ready' });
