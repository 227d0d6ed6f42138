/**
 * `trainscope reproduce --jobs N / --queue URL`: each experiment's run folder (already set up by
 * reproduce) is run as one cell on the sweep executors, so independent experiments go side by
 * side in the pool of worker processes or to queue workers.
 */
import type { Experiment } from '../experiments/experiment.ts';
import { readRun, readSummary, type Manifest, type Summary } from '../experiments/run-folder.ts';
import type { CellExecutor } from '../sweeps/executor.ts';
import { cellId } from '../sweeps/spec.ts';

export function executorRunOne(
  executor: CellExecutor,
  signal: AbortSignal,
  log: (line: string) => void,
): (dir: string, exp: Experiment<any, any>) => Promise<{ manifest: Manifest; summary?: Summary }> {
  return async (dir, exp) => {
    const { manifest, config } = readRun(dir);
    const cell = `repro-${cellId(exp.id, config, manifest.seed)}`;
    const outcome = await executor.run(
      { dir, cell, experiment: { id: exp.id }, preset: manifest.preset, config, seed: manifest.seed },
      { started: () => log(`reproduce: ${exp.id} started`), progress: () => {} },
      signal,
    );
    if (outcome.status === 'failed') throw new Error(outcome.error ?? 'failed');
    if (outcome.status === 'incomplete') return { manifest: { ...readRun(dir).manifest, status: 'incomplete' } };
    return { manifest: readRun(dir).manifest, summary: readSummary(dir) };
  };
}
