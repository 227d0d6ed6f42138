/**
 * Run one cell in this thread: an ordinary run folder (initRunDir + executeRun), so resume,
 * reports and determinism hold per cell. A complete folder is left alone; an incomplete or
 * failed one continues from its checkpoints.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { kernels } from '../kernels/backend.ts';
import { VERSION } from '../version.ts';
import type { PresetName, ProgressUpdate } from '../experiments/experiment.ts';
import { executeRun, initRunDir, readRun } from '../experiments/run-folder.ts';
import { loadExperiment, type ExperimentRef } from './experiment-ref.ts';

/** Everything a worker needs to run a cell: plain data, so it crosses threads and queues. */
export interface CellTask {
  /** Absolute path of the cell's run folder (for a queue worker: a folder of its own). */
  dir: string;
  cell: string;
  experiment: ExperimentRef;
  preset: PresetName;
  config: Record<string, unknown>;
  seed: number;
}

export type CellStatus = 'pending' | 'complete' | 'incomplete' | 'failed';

export interface CellOutcome {
  status: Exclude<CellStatus, 'pending'>;
  error?: string;
  /** The kernel backend and trainscope version that ran it (a mismatch is worth a warning). */
  backend: string;
  trainscope: string;
  /** False when the folder was already complete and nothing ran. */
  ran: boolean;
}

export async function runCell(task: CellTask, progress: (u: ProgressUpdate) => void, signal: AbortSignal): Promise<CellOutcome> {
  const exp = await loadExperiment(task.experiment);
  const who = { backend: kernels().name, trainscope: VERSION };
  if (existsSync(join(task.dir, 'manifest.json'))) {
    const { manifest } = readRun(task.dir);
    if (manifest.status === 'complete') return { status: 'complete', backend: manifest.backend, trainscope: manifest.trainscope, ran: false };
  } else {
    initRunDir(task.dir, exp, task.config, task.preset, task.seed);
  }
  try {
    const { manifest } = await executeRun(task.dir, exp, { progress, signal });
    return { status: manifest.status === 'complete' ? 'complete' : 'incomplete', ...who, ran: true };
  } catch (e) {
    return { status: 'failed', error: (e as Error).message, ...who, ran: true };
  }
}
