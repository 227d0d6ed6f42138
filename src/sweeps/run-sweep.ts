/**
 * The sweep driver: expand the cells, open (or re-open) the sweep folder, run every cell that is
 * not complete on an executor with at most `executor.concurrency` in flight, record each outcome
 * in sweep.json as it arrives, then aggregate and write the sweep's report. Re-running the same
 * sweep skips complete cells and resumes incomplete ones; Ctrl-C (the signal) stops dispatching,
 * asks running cells to stop at a step boundary and leaves them resumable.
 */
import { writeFileAtomic } from '../train/checkpoint.ts';
import { setMaxListeners } from 'node:events';
import { join } from 'node:path';
import { kernels } from '../kernels/backend.ts';
import { VERSION } from '../version.ts';
import { existsSync, readdirSync } from 'node:fs';
import { ensureWritableDir } from '../experiments/run-folder.ts';
import { acquireRunLock, LOCK_FILE } from '../experiments/run-lock.ts';
import type { SweepAggregate } from '../experiments/sweep-types.ts';
import { aggregateSweep } from './aggregate.ts';
import type { CellExecutor } from './executor.ts';
import { loadExperiment, portableRef, type ExperimentRef } from './experiment-ref.ts';
import { silentProgress, type SweepProgress } from './progress.ts';
import { axisKeys, expandSweep, type SweepSpec } from './spec.ts';
import { cellDir, openSweep, writeSweep, SWEEP_FORMAT, type SweepFile } from './sweep-folder.ts';
import { pointLabel, writeSweepReport } from './sweep-report.ts';

export interface SweepRunOptions {
  /** The sweep folder (runs/<sweep>/). */
  dir: string;
  spec: SweepSpec;
  /** Where workers find the experiment (default: the registry, by spec.experiment). */
  experiment?: ExperimentRef;
  executor: CellExecutor;
  signal: AbortSignal;
  progress?: SweepProgress;
}

export interface SweepResult {
  dir: string;
  sweep: SweepFile;
  /** Cells that ran in this call (0 when everything was already complete). */
  ran: number;
  interrupted: boolean;
  /** Null when interrupted (no report is written for a half-run sweep). */
  aggregate: SweepAggregate | null;
  warnings: string[];
}

export async function runSweep(o: SweepRunOptions): Promise<SweepResult> {
  const ref = portableRef(o.experiment ?? { id: o.spec.experiment });
  const exp = await loadExperiment(ref);
  const cells = expandSweep(exp, o.spec);
  const progress = o.progress ?? silentProgress;
  refuseForeignFolder(o.dir);
  ensureWritableDir(o.dir);
  // One sweep process per folder: a second one would race on sweep.json and on the cells.
  const lock = acquireRunLock(o.dir);
  try {
    return await runLocked(o, ref, exp, cells, progress);
  } finally {
    lock.release();
  }
}

/** A sweep writes only into a new or empty folder, or one that already holds this kind of sweep. */
function refuseForeignFolder(dir: string): void {
  if (!existsSync(dir)) return;
  const entries = readdirSync(dir).filter((n) => n !== LOCK_FILE && !n.startsWith(`${LOCK_FILE}.`));
  if (entries.length && !entries.includes('sweep.json')) {
    throw new Error(
      `output directory ${dir} is not empty and holds no sweep (${entries.slice(0, 3).join(', ')}${entries.length > 3 ? ', …' : ''}); choose a new or empty folder with --out`,
    );
  }
}

async function runLocked(
  o: SweepRunOptions,
  ref: ExperimentRef,
  exp: Awaited<ReturnType<typeof loadExperiment>>,
  cells: ReturnType<typeof expandSweep>,
  progress: SweepProgress,
): Promise<SweepResult> {
  const sweep = openSweep(
    o.dir,
    {
      format: SWEEP_FORMAT,
      version: 1,
      name: o.dir.split(/[\\/]/).pop()!,
      experiment: ref,
      preset: o.spec.preset,
      sets: [...o.spec.sets],
      axes: o.spec.axes,
      axisKeys: axisKeys(o.spec.axes),
      seeds: [...o.spec.seeds],
      submitter: { backend: kernels().name, trainscope: VERSION },
    },
    cells,
  );
  writeSweep(o.dir, sweep);
  const todo = cells.filter((_, i) => sweep.cells[i]!.status !== 'complete');
  let ran = 0;
  // Every cell in flight listens on the signal (a queue has them all in flight at once).
  setMaxListeners(todo.length + 10, o.signal);
  progress.start(cells.length, cells.length - todo.length, o.executor.label);
  try {
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < todo.length && !o.signal.aborted) {
        const cell = todo[next++]!;
        const entry = sweep.cells.find((c) => c.id === cell.id)!;
        const label = [pointLabel(cell.values, Object.keys(cell.values)), `seed ${cell.seed}`].filter(Boolean).join(' ');
        // A cell whose executor throws (a thread that died, a lost connection) fails alone; the others go on.
        const outcome = await o.executor
          .run(
            { dir: cellDir(o.dir, cell.id), cell: cell.id, experiment: ref, preset: o.spec.preset, config: cell.config, seed: cell.seed },
            { started: () => progress.cellStarted(cell.id, label), progress: (u) => progress.cellProgress(cell.id, u) },
            o.signal,
          )
          .catch((e: unknown) => ({
            status: 'failed' as const,
            error: e instanceof Error ? e.message : String(e),
            backend: 'unknown',
            trainscope: 'unknown',
            ran: true,
          }));
        if (outcome.ran) ran++;
        Object.assign(entry, { status: outcome.status, backend: outcome.backend, trainscope: outcome.trainscope });
        if (outcome.error !== undefined) entry.error = outcome.error;
        else delete entry.error;
        writeSweep(o.dir, sweep);
        progress.cellFinished(cell.id, outcome.status, outcome.error);
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(o.executor.concurrency, todo.length)) }, lane));
  } finally {
    progress.stop();
  }
  if (o.signal.aborted && sweep.cells.some((c) => c.status !== 'complete' && c.status !== 'failed')) {
    return { dir: o.dir, sweep, ran, interrupted: true, aggregate: null, warnings: [] };
  }
  const aggregate = aggregateSweep(exp, o.dir, sweep);
  writeFileAtomic(join(o.dir, 'aggregate.json'), `${JSON.stringify(aggregate, null, 2)}\n`);
  const warnings = await writeSweepReport(o.dir, exp, sweep, aggregate);
  return { dir: o.dir, sweep, ran, interrupted: false, aggregate, warnings };
}
