/**
 * `trainscope sweep`: parse the grid from flags (or take the experiment's own declared grid for
 * the preset), pick an executor (a pool of worker processes, or a BullMQ queue with --queue) and run the
 * sweep with progress. All logic is in src/sweeps/; this file only parses and prints.
 */
import { join, relative, resolve } from 'node:path';
import { PRESETS, type PresetName } from '../experiments/experiment.ts';
import type { SweepAxes } from '../experiments/sweep-types.ts';
import { loadExperiment, type ExperimentRef } from '../sweeps/experiment-ref.ts';
import { availableParallelism } from 'node:os';
import type { CellExecutor } from '../sweeps/executor.ts';
import { sweepProgressReporter } from '../sweeps/progress.ts';
import { expandSweep, sweepName, type SweepSpec } from '../sweeps/spec.ts';
import { applyBackendFlag, booleanFlag, stringFlag, stringFlags, UsageError, type ParsedArgs } from './args.ts';
import { interruptSignal } from './interrupt.ts';

/** `v1,v2,…` or a JSON array; each value parsed as JSON when it parses (like --set). */
export function parseAxisValues(flag: string, assignment: string): [string, unknown[]] {
  const eq = assignment.indexOf('=');
  if (eq <= 0) throw new UsageError(`--${flag} expects key=v1,v2,…, got '${assignment}'`);
  const key = assignment.slice(0, eq).trim();
  const raw = assignment.slice(eq + 1).trim();
  const one = (s: string): unknown => {
    try {
      return JSON.parse(s);
    } catch {
      return s;
    }
  };
  const parsed = raw.startsWith('[') ? one(raw) : undefined;
  const values = Array.isArray(parsed) ? parsed : raw.split(',').map((s) => one(s.trim()));
  if (values.length === 0 || raw === '') throw new UsageError(`--${flag} ${key}: needs at least one value`);
  return [key, values];
}

/** `0,1,2` or `0..4` (4 excluded). */
export function parseSeeds(v: string): number[] {
  const range = /^(\d+)\.\.(\d+)$/.exec(v);
  const seeds = range
    ? Array.from({ length: Math.max(0, Number(range[2]) - Number(range[1])) }, (_, i) => Number(range[1]) + i)
    : v.split(',').map((s) => Number(s.trim()));
  if (!seeds.length || seeds.some((s) => !Number.isSafeInteger(s) || s < 0))
    throw new UsageError(`--seeds expects 0,1,2 or 0..N (non-negative integers), got '${v}'`);
  return seeds;
}

export function parseJobs(v: string | undefined): number {
  if (v === undefined) return availableParallelism();
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`--jobs must be a positive integer, got '${v}'`);
  return n;
}

/** The executor for --jobs / --queue (shared with reproduce). */
export async function executorFor(values: { jobs?: string; queue?: string; retries?: string; checkpoints?: boolean }): Promise<CellExecutor> {
  if (values.queue !== undefined) {
    if (values.jobs !== undefined) throw new UsageError('--jobs and --queue do not go together (queue workers choose their own --jobs)');
    const retries = values.retries === undefined ? 2 : Number(values.retries);
    if (!Number.isSafeInteger(retries) || retries < 0) throw new UsageError(`--retries must be a non-negative integer, got '${values.retries}'`);
    // The executors load bullmq / start processes: imported only now, after every flag was checked.
    const { queueExecutor } = await import('../sweeps/queue-executor.ts');
    return queueExecutor(values.queue, { retries, withCheckpoints: values.checkpoints ?? false });
  }
  if (values.retries !== undefined || values.checkpoints)
    throw new UsageError(`${values.retries !== undefined ? '--retries' : '--checkpoints'} goes with --queue`);
  const jobs = parseJobs(values.jobs);
  const { poolExecutor } = await import('../sweeps/pool.ts');
  return poolExecutor(jobs);
}

export default async function sweepCommand(p: ParsedArgs): Promise<number> {
  await applyBackendFlag(p);
  const v = {
    preset: stringFlag(p, 'preset'),
    set: stringFlags(p, 'set'),
    grid: stringFlags(p, 'grid'),
    zip: stringFlags(p, 'zip'),
    list: stringFlag(p, 'list'),
    seeds: stringFlag(p, 'seeds'),
    jobs: stringFlag(p, 'jobs'),
    queue: stringFlag(p, 'queue'),
    retries: stringFlag(p, 'retries'),
    checkpoints: booleanFlag(p, 'checkpoints'),
    out: stringFlag(p, 'out'),
    experiments: stringFlag(p, 'experiments'),
    json: booleanFlag(p, 'json'),
  };
  if (p.positionals.length !== 1) throw new UsageError('expected one experiment id (see trainscope list)');
  const preset = (v.preset ?? 'small') as PresetName;
  if (!PRESETS.includes(preset)) throw new UsageError(`--preset must be one of ${PRESETS.join(', ')}, got '${v.preset}'`);
  const ref: ExperimentRef = { id: p.positionals[0]!, ...(v.experiments ? { module: resolve(v.experiments) } : {}) };
  const exp = await loadExperiment(ref);
  const axes: SweepAxes = {};
  for (const g of v.grid) (axes.grid ??= {})[parseAxisValues('grid', g)[0]] = parseAxisValues('grid', g)[1];
  for (const z of v.zip) (axes.zip ??= {})[parseAxisValues('zip', z)[0]] = parseAxisValues('zip', z)[1];
  if (v.list !== undefined) {
    let list: unknown;
    try {
      list = JSON.parse(v.list);
    } catch {
      throw new UsageError(`--list expects a JSON array of objects, got '${v.list}'`);
    }
    if (!Array.isArray(list) || !list.every((e) => e !== null && typeof e === 'object' && !Array.isArray(e)))
      throw new UsageError('--list expects a JSON array of objects');
    axes.list = list as Record<string, unknown>[];
  }
  const declared = exp.sweep?.presets?.[preset];
  const noAxes = !axes.grid && !axes.zip && !axes.list;
  if (noAxes && !declared) throw new UsageError(`${exp.id} declares no '${preset}' grid; give axes with --grid, --zip or --list`);
  const spec: SweepSpec = {
    experiment: exp.id,
    preset,
    sets: noAxes && declared?.sets ? [...declared.sets, ...v.set] : v.set,
    axes: noAxes ? declared!.axes : axes,
    seeds: v.seeds !== undefined ? parseSeeds(v.seeds) : noAxes ? [...declared!.seeds] : [0],
  };
  if (v.out?.trim() === '') throw new UsageError(`--out must name a folder, got ''`);
  const dir = resolve(v.out ?? join('runs', sweepName(spec)));
  expandSweep(exp, spec); // axis typos and bad values fail here, before processes start or a queue is reached
  // Connecting to the queue (or failing) happens before the sweep folder is created.
  const executor = await executorFor({
    ...(v.jobs !== undefined ? { jobs: v.jobs } : {}),
    ...(v.queue !== undefined ? { queue: v.queue } : {}),
    ...(v.retries !== undefined ? { retries: v.retries } : {}),
    checkpoints: v.checkpoints,
  });
  // Ctrl-C, SIGTERM, SIGHUP: the pool stops its cells at a step boundary; with --queue the workers keep going.
  const { signal, dispose } = interruptSignal();
  try {
    const { runSweep } = await import('../sweeps/run-sweep.ts');
    const r = await runSweep({ dir, spec, experiment: ref, executor, signal, progress: sweepProgressReporter() });
    const rel = relative(process.cwd(), dir) || '.';
    const failed = r.sweep.cells.filter((c) => c.status === 'failed').length;
    if (v.json)
      process.stdout.write(
        `${JSON.stringify({ sweepDir: dir, interrupted: r.interrupted, ran: r.ran, cells: r.sweep.cells.length, failed, warnings: r.warnings })}\n`,
      );
    if (r.interrupted) {
      process.stderr.write(`sweep: interrupted; run the same command again to continue (complete cells are kept)\n`);
      return 130;
    }
    if (!v.json) {
      for (const w of r.warnings) process.stderr.write(`warning: ${w}\n`);
      process.stdout.write(
        `sweep: ${r.sweep.cells.length - failed} of ${r.sweep.cells.length} cells complete (${r.ran} run now)${failed ? `, ${failed} failed` : ''}; report: ${join(rel, 'report.html')}\n`,
      );
    }
    return failed ? 1 : 0;
  } finally {
    dispose();
    await executor.close();
  }
}
