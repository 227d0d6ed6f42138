/** What travels through the queue: a cell's job data (its task without a folder) and its result. */
import type { CellOutcome, CellTask } from './run-cell.ts';

export interface CellJobData {
  task: Omit<CellTask, 'dir'>;
  /** Return checkpoints/ and stages/ too (bigger results; lets the submitter resume the folder). */
  withCheckpoints: boolean;
}

export interface CellJobResult {
  outcome: CellOutcome & { worker: string };
  /** packRunFolder of the finished cell. */
  folder: string;
}

/** BullMQ job ids: a prefix, so an all-digit hash is never mistaken for BullMQ's own numeric ids. */
/**
 * A cell's job id: the cell (experiment, config, seed) and the submitting code's identity, so
 * re-submitting the same sweep adds nothing twice, while a submission from changed code (another
 * version, commit or uncommitted diff) runs the cell afresh instead of reusing an old result.
 */
export const jobIdOf = (cell: string, code = ''): string => (code ? `cell-${cell}-${code}` : `cell-${cell}`);
