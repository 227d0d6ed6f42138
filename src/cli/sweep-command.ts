/**
 * `trainscope sweep`: parse the grid from flags (or take the experiment's own declared grid for
 * the preset), pick an executor (worker-thread pool, or a BullMQ queue with --queue) and run the
 * sweep with progress. All logic is in src/sweeps/; this file only parses and prints.
 */
import { parseArgs } from 'node:util';
import { join, relative, resolve } from 'node:path';
import { PRESETS, type PresetName } from '../experiments/experiment.ts';
import type { SweepAxes } from '../experiments/sweep-types.ts';
import { loadExperiment, type ExperimentRef } from '../sweeps/experiment-ref.ts';
import type { CellExecutor } from '../sweeps/executor.ts';
import { defaultJobs, poolExecutor } from '../sweeps/pool.ts';
import { sweepProgressReporter } from '../sweeps/progress.ts';
import { queueExecutor } from '../sweeps/queue-executor.ts';
import { runSweep } from '../sweeps/run-sweep.ts';
import { sweepName, type SweepSpec } from '../sweeps/spec.ts';

export class SweepUsageError extends Error {}

export const SWEEP_HELP = `Usage: trainscope sweep <id> [--preset smoke|small|paper] [--set key=value …]
                       [--grid key=v1,v2,… …] [--zip key=v1,v2,… …] [--list JSON] [--seeds 0,1,2 | 0..4]
                       [--jobs N | --queue redis://HOST:PORT[/DB][?queue=NAME] [--retries N] [--checkpoints]]
                       [--out DIR] [--experiments MODULE] [--json]
  Runs a grid of cells, each an ordinary run folder under DIR/cells/<cell-id>/ (default DIR:
  runs/sweep-<id>-<hash>/), then writes DIR/sweep.json, aggregate.json (mean ± std over seeds),
  figures/ and report.html/report.md. --grid axes multiply, --zip axes go in lockstep, --list
  takes a JSON array of config overrides; with no axes, the experiment's own grid for the preset.
  --jobs N: N worker threads (default: every core). --queue: send the cells to \`trainscope worker\`s
  through Redis (--retries: extra attempts for a failing cell, default 2). Running the same command
  again skips complete cells and resumes the rest; Ctrl-C stops at a step boundary.
  --experiments MODULE: a module exporting EXPERIMENTS, for experiments that are not registered.
`;

/** `v1,v2,…` or a JSON array; each value parsed as JSON when it parses (like --set). */
export function parseAxisValues(flag: string, assignment: string): [string, unknown[]] {
  const eq = assignment.indexOf('=');
  if (eq <= 0) throw new SweepUsageError(`--${flag} expects key=v1,v2,…, got '${assignment}'`);
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
  if (values.length === 0 || raw === '') throw new SweepUsageError(`--${flag} ${key}: needs at least one value`);
  return [key, values];
}

/** `0,1,2` or `0..4` (4 excluded). */
export function parseSeeds(v: string): number[] {
  const range = /^(\d+)\.\.(\d+)$/.exec(v);
  const seeds = range ? Array.from({ length: Math.max(0, Number(range[2]) - Number(range[1])) }, (_, i) => Number(range[1]) + i) : v.split(',').map((s) => Number(s.trim()));
  if (!seeds.length || seeds.some((s) => !Number.isSafeInteger(s) || s < 0)) throw new SweepUsageError(`--seeds expects 0,1,2 or 0..N (non-negative integers), got '${v}'`);
  return seeds;
}

export function parseJobs(v: string | undefined): number {
  if (v === undefined) return defaultJobs();
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 1) throw new SweepUsageError(`--jobs must be a positive integer, got '${v}'`);
  return n;
}

/** Ctrl-C: stop at the next step boundary; a second Ctrl-C exits at once. */
export function interruptOnSigint(what: string): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const onSigint = (): void => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write(`\ninterrupt: ${what} (Ctrl-C again to quit now)\n`);
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  return { signal: controller.signal, dispose: () => process.off('SIGINT', onSigint) };
}

/** The executor for --jobs / --queue (shared with reproduce). */
export async function executorFor(values: { jobs?: string; queue?: string; retries?: string; checkpoints?: boolean }): Promise<CellExecutor> {
  if (values.queue !== undefined) {
    if (values.jobs !== undefined) throw new SweepUsageError('--jobs and --queue do not go together (queue workers choose their own --jobs)');
    const retries = values.retries === undefined ? 2 : Number(values.retries);
    if (!Number.isSafeInteger(retries) || retries < 0) throw new SweepUsageError(`--retries must be a non-negative integer, got '${values.retries}'`);
    return queueExecutor(values.queue, { retries, withCheckpoints: values.checkpoints ?? false });
  }
  return poolExecutor(parseJobs(values.jobs));
}

export async function sweepCommand(argv: readonly string[]): Promise<number> {
  let p;
  try {
    p = parseArgs({
      args: [...argv], allowPositionals: true, strict: true,
      options: {
        preset: { type: 'string' }, set: { type: 'string', multiple: true }, grid: { type: 'string', multiple: true }, zip: { type: 'string', multiple: true },
        list: { type: 'string' }, seeds: { type: 'string' }, jobs: { type: 'string' }, queue: { type: 'string' }, retries: { type: 'string' },
        checkpoints: { type: 'boolean' }, out: { type: 'string' }, experiments: { type: 'string' }, json: { type: 'boolean' },
      },
    });
  } catch (e) {
    throw new SweepUsageError(`${(e as Error).message.split('. ')[0]} (try trainscope sweep --help)`);
  }
  const v = p.values;
  if (p.positionals.length !== 1) throw new SweepUsageError('expected one experiment id (see trainscope list)');
  const preset = (v.preset ?? 'small') as PresetName;
  if (!PRESETS.includes(preset)) throw new SweepUsageError(`--preset must be one of ${PRESETS.join(', ')}, got '${v.preset}'`);
  const ref: ExperimentRef = { id: p.positionals[0]!, ...(v.experiments ? { module: resolve(v.experiments) } : {}) };
  const exp = await loadExperiment(ref);
  const axes: SweepAxes = {};
  for (const g of v.grid ?? []) (axes.grid ??= {})[parseAxisValues('grid', g)[0]] = parseAxisValues('grid', g)[1];
  for (const z of v.zip ?? []) (axes.zip ??= {})[parseAxisValues('zip', z)[0]] = parseAxisValues('zip', z)[1];
  if (v.list !== undefined) {
    let list: unknown;
    try {
      list = JSON.parse(v.list);
    } catch {
      throw new SweepUsageError(`--list expects a JSON array of objects, got '${v.list}'`);
    }
    if (!Array.isArray(list) || !list.every((e) => e !== null && typeof e === 'object' && !Array.isArray(e))) throw new SweepUsageError('--list expects a JSON array of objects');
    axes.list = list as Record<string, unknown>[];
  }
  const declared = exp.sweep?.presets?.[preset];
  const noAxes = !axes.grid && !axes.zip && !axes.list;
  if (noAxes && !declared) throw new SweepUsageError(`${exp.id} declares no '${preset}' grid; give axes with --grid, --zip or --list`);
  const spec: SweepSpec = {
    experiment: exp.id, preset, sets: v.set ?? [], axes: noAxes ? declared!.axes : axes,
    seeds: v.seeds !== undefined ? parseSeeds(v.seeds) : noAxes ? [...declared!.seeds] : [0],
  };
  const dir = resolve(v.out ?? join('runs', sweepName(spec)));
  // Connecting to the queue (or failing) happens before the sweep folder is created.
  const executor = await executorFor(v);
  const { signal, dispose } = interruptOnSigint(v.queue ? 'stopped waiting; queued cells keep running on the workers' : 'stopping the running cells at the next step boundary');
  try {
    const r = await runSweep({ dir, spec, experiment: ref, executor, signal, progress: sweepProgressReporter() });
    const rel = relative(process.cwd(), dir) || '.';
    const failed = r.sweep.cells.filter((c) => c.status === 'failed').length;
    if (v.json) process.stdout.write(`${JSON.stringify({ sweepDir: dir, interrupted: r.interrupted, ran: r.ran, cells: r.sweep.cells.length, failed, warnings: r.warnings })}\n`);
    if (r.interrupted) {
      process.stderr.write(`sweep: interrupted; run the same command again to continue (complete cells are kept)\n`);
      return 130;
    }
    if (!v.json) {
      for (const w of r.warnings) process.stderr.write(`warning: ${w}\n`);
      process.stdout.write(`sweep: ${r.sweep.cells.length - failed} of ${r.sweep.cells.length} cells complete (${r.ran} run now)${failed ? `, ${failed} failed` : ''}; report: ${join(rel, 'report.html')}\n`);
    }
    return failed ? 1 : 0;
  } finally {
    dispose();
    await executor.close();
  }
}
