/**
 * Run one cell in this thread: an ordinary run folder (initRunDir + executeRun), so resume,
 * reports and determinism hold per cell. A complete folder is left alone; an incomplete or
 * failed one continues from its checkpoints.
 */
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { kernels } from '../kernels/backend.ts';
import { VERSION } from '../version.ts';
import type { PresetName, ProgressUpdate } from '../experiments/experiment.ts';
import { executeRun, initRunDir, readRun } from '../experiments/run-folder.ts';
import { lockState } from '../experiments/run-lock.ts';
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
  try {
    if (existsSync(join(task.dir, 'manifest.json'))) {
      const { manifest } = readRun(task.dir);
      if (manifest.status === 'complete') return { status: 'complete', backend: manifest.backend, trainscope: manifest.trainscope, ran: false };
    } else {
      clearHalfCreated(task.dir);
      initRunDir(task.dir, exp, task.config, task.preset, task.seed);
    }
    const { manifest } = await executeRun(task.dir, exp, { progress, signal });
    return { status: manifest.status === 'complete' ? 'complete' : 'incomplete', ...who, ran: true };
  } catch (e) {
    return { status: 'failed', error: (e as Error).message, ...who, ran: true };
  }
}

/** What initRunDir writes before the manifest (written last), and the temp/lock files of a killed writer. */
const INIT_FILES = /^(config\.json|config\.schema\.json|metrics\.jsonl|\.lock(\..*)?|.*\.tmp-.*)$/;

/**
 * A cell folder belongs to its sweep: one killed while initRunDir wrote it (no manifest, only
 * those files) is cleared so the cell starts afresh, instead of failing every re-run. Anything
 * else in it (stages/, checkpoints/, foreign files) is left for initRunDir to refuse.
 */
function clearHalfCreated(dir: string): void {
  if (!existsSync(dir) || lockState(dir).state === 'alive') return;
  const entries = readdirSync(dir);
  if (entries.length && entries.every((n) => INIT_FILES.test(n))) rmSync(dir, { recursive: true, force: true });
}
