/**
 * An executor runs cells somewhere (this thread, a pool of worker processes, a BullMQ queue) and
 * reports back. The sweep driver decides which cells run and keeps at most `concurrency` in
 * flight, so every executor has the same skip/resume/progress behaviour.
 */
import type { ProgressUpdate } from '../experiments/experiment.ts';
import { runCell, type CellOutcome, type CellTask } from './run-cell.ts';

export interface CellHooks {
  /** The cell started running (on a queue: a worker picked it up). */
  started(): void;
  progress(u: ProgressUpdate): void;
}

export interface CellExecutor {
  /** How many cells may be in flight at once. */
  readonly concurrency: number;
  /** Where cells run, for the progress header ('2 worker processes', 'redis://…'). */
  readonly label: string;
  /** Run (or resume) one cell into task.dir. Aborting the signal asks it to stop at a step boundary. */
  run(task: CellTask, hooks: CellHooks, signal: AbortSignal): Promise<CellOutcome>;
  close(): Promise<void>;
}

/** Cells one after another in this thread (the library default; tests' sequential reference). */
export function inlineExecutor(): CellExecutor {
  return {
    concurrency: 1,
    label: 'this thread',
    async run(task, hooks, signal) {
      hooks.started();
      return runCell(task, hooks.progress, signal);
    },
    async close() {},
  };
}
