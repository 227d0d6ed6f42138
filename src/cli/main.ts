/**
 * The `trainscope` command line: thin parsing over experiments/ and report/. Every failure is
 * one line on stderr and a non-zero exit (2 for usage errors), never a stack trace.
 */
import { join, relative, resolve } from 'node:path';
import { VERSION } from '../version.ts';
import { availableBackends, backendInfo } from '../kernels/backend.ts';
import { EXPERIMENTS, getExperiment } from '../experiments/registry.ts';
import { PRESETS, type PresetName } from '../experiments/experiment.ts';
import { resolveConfig, allowedKeys } from '../experiments/config.ts';
import { executeRun, initRunDir, newRunDir, readRun, readSummary, type Manifest, type Summary } from '../experiments/run-folder.ts';
import { reproduce } from '../experiments/reproduce.ts';
import { watchRun } from '../experiments/watch.ts';
import { claimCountText, claimStatus, observedText } from '../report/claims.ts';
import { progressReporter } from '../experiments/progress.ts';
import { writeReport } from '../report/index.ts';
import { executorFor, SweepUsageError, SWEEP_HELP, sweepCommand } from './sweep-command.ts';
import { WORKER_HELP, workerCommand } from './worker-command.ts';
import { executorRunOne } from './reproduce-parallel.ts';

class UsageError extends Error {}

const HELP: Record<string, string> = {
  main: `trainscope ${VERSION} — train neural networks and see how they train

Usage: trainscope <command> [options]

Commands:
  list                      list registered experiments
  run <id>                  run one experiment into a run folder
  run --resume <runDir>     continue an interrupted run
  report <runDir>           re-render a run's report from its summary
  reproduce                 run every experiment and write index.html
  sweep <id>                run a grid of cells (axes × seeds) on worker threads or a Redis queue
  worker --queue URL        pull sweep cells from a Redis queue and run them
  watch <runDir>            follow a running run: new records and progress, until it ends
  doctor                    print Node version, kernel backend, SIMD, BLAS, threads

Options: --help on any command, --version. Data is never downloaded.
`,
  list: 'Usage: trainscope list [--json]\n  List registered experiments with their presets and config keys.\n',
  run: `Usage: trainscope run <id> [--preset smoke|small|paper] [--seed N] [--set key=value …] [--config FILE] [--out DIR] [--json]
       trainscope run --resume <runDir> [--json]
  Runs an experiment into DIR (default runs/<id>/<timestamp>-<hash>/): manifest.json, config.json,
  metrics.jsonl, summary.json (claims), figures/, report.html, report.md. Ctrl-C stops at a step
  boundary and marks the folder incomplete; --resume continues it.
`,
  report: 'Usage: trainscope report <runDir>\n  Re-render report.html, report.md and figures from a complete run folder.\n',
  reproduce: `Usage: trainscope reproduce [--preset smoke|small|paper] [--seed N] [--out DIR] [--json]
                           [--jobs N | --queue redis://HOST:PORT[/DB] [--retries N]]
  Runs every registered experiment (default preset: small) into DIR (default runs/reproduce-<preset>/)
  and writes DIR/index.html linking every report with its claims. --jobs N: N experiments side by
  side on worker threads; --queue: on \`trainscope worker\`s through Redis.
`,
  sweep: SWEEP_HELP,
  worker: WORKER_HELP,
  watch: `Usage: trainscope watch <runDir> [--interval MS]
  Follows a run folder that another process is running: prints each record of metrics.partial.jsonl
  as it arrives (step first, then key=value) and the progress when it moves; exits when the manifest
  says complete (0), failed (1) or incomplete (130), or on Ctrl-C (0; the run keeps going).
`,
  doctor: 'Usage: trainscope doctor [--json]\n  Print Node version, the kernel backend (and why a faster one is unavailable), SIMD, BLAS, threads, default dtype.\n',
};

interface Parsed {
  positional: string[];
  flags: Map<string, string[]>;
}

/** Parse `--flag value`, `--flag=value` and boolean flags; unknown flags are usage errors. */
function parseArgs(command: string, argv: readonly string[], valued: readonly string[], booleans: readonly string[]): Parsed {
  const flags = new Map<string, string[]>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) {
      positional.push(a);
      continue;
    }
    const [name, inline] = a.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    if (booleans.includes(name)) {
      flags.set(name, ['true']);
    } else if (valued.includes(name)) {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new UsageError(`trainscope ${command}: --${name} needs a value`);
      flags.set(name, [...(flags.get(name) ?? []), v]);
    } else {
      throw new UsageError(`trainscope ${command}: unknown option --${name} (try trainscope ${command} --help)`);
    }
  }
  return { positional, flags };
}

const flag = (p: Parsed, name: string): string | undefined => p.flags.get(name)?.at(-1);

function parsePreset(v: string | undefined, dflt: PresetName): PresetName {
  if (v === undefined) return dflt;
  if (!(PRESETS as readonly string[]).includes(v)) throw new UsageError(`--preset must be one of ${PRESETS.join(', ')}, got '${v}'`);
  return v as PresetName;
}

function parseSeed(v: string | undefined): number {
  if (v === undefined) return 0;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0) throw new UsageError(`--seed must be a non-negative integer, got '${v}'`);
  return n;
}

/** Ctrl-C aborts the run at the next step boundary; a second Ctrl-C exits at once. */
function interruptSignal(): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const onSigint = (): void => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write('\ninterrupt: stopping at the next step boundary (Ctrl-C again to quit now)\n');
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  return { signal: controller.signal, dispose: () => process.off('SIGINT', onSigint) };
}

async function runOne(dir: string, id: string, signal: AbortSignal, json: boolean): Promise<{ manifest: Manifest; summary?: Summary }> {
  const exp = getExperiment(id);
  const progress = progressReporter();
  try {
    const { manifest, summary } = await executeRun(dir, exp, { progress: progress.update, signal });
    progress.done();
    const rel = relative(process.cwd(), dir) || '.';
    if (manifest.status === 'incomplete') {
      process.stderr.write(`${id}: interrupted; the run folder is marked incomplete. Continue with: trainscope run --resume ${rel}\n`);
    } else if (!json) {
      process.stdout.write(`${id}: complete in ${manifest.wallSec}s, claims ${claimCountText(summary!.claims)}\n`);
      for (const c of summary!.claims) process.stdout.write(`  ${claimStatus(c).toUpperCase().padEnd(13)} ${c.statement} — ${observedText(c)}\n`);
      process.stdout.write(`  report: ${join(rel, 'report.html')}\n`);
    }
    return { manifest, summary };
  } finally {
    progress.done();
  }
}

async function cmdRun(argv: readonly string[]): Promise<number> {
  const p = parseArgs('run', argv, ['preset', 'seed', 'set', 'config', 'out', 'resume'], ['json']);
  const json = p.flags.has('json');
  const { signal, dispose } = interruptSignal();
  try {
    let dir: string;
    let id: string;
    const resume = flag(p, 'resume');
    if (resume !== undefined) {
      if (p.positional.length || p.flags.has('preset') || p.flags.has('set') || p.flags.has('config') || p.flags.has('seed')) {
        throw new UsageError('trainscope run --resume <runDir> takes no experiment id or config options (the run folder holds them)');
      }
      dir = resolve(resume);
      const { manifest } = readRun(dir);
      if (manifest.status === 'complete') throw new Error(`run ${resume} is already complete`);
      id = manifest.experiment;
    } else {
      if (p.positional.length !== 1) throw new UsageError('trainscope run: expected one experiment id (see trainscope list)');
      id = p.positional[0]!;
      const exp = getExperiment(id);
      const preset = parsePreset(flag(p, 'preset'), 'small');
      const config = resolveConfig(exp, { preset, file: flag(p, 'config'), sets: p.flags.get('set') ?? [] });
      const seed = parseSeed(flag(p, 'seed'));
      dir = flag(p, 'out') !== undefined ? resolve(flag(p, 'out')!) : newRunDir('runs', id, { config, seed });
      initRunDir(dir, exp, config, preset, seed);
    }
    const { manifest } = await runOne(dir, id, signal, json);
    if (json) process.stdout.write(`${JSON.stringify({ runDir: dir, status: manifest.status, ...(manifest.status === 'complete' ? { claims: readSummary(dir).claims } : {}) })}\n`);
    return manifest.status === 'incomplete' ? 130 : 0;
  } finally {
    dispose();
  }
}

async function cmdReproduce(argv: readonly string[]): Promise<number> {
  const p = parseArgs('reproduce', argv, ['preset', 'seed', 'out', 'jobs', 'queue', 'retries'], ['json']);
  if (p.positional.length) throw new UsageError(`trainscope reproduce: unexpected argument '${p.positional[0]}'`);
  const preset = parsePreset(flag(p, 'preset'), 'small');
  const seed = parseSeed(flag(p, 'seed'));
  const json = p.flags.has('json');
  const out = resolve(flag(p, 'out') ?? join('runs', `reproduce-${preset}`));
  const parallel = p.flags.has('jobs') || p.flags.has('queue');
  const executor = parallel ? await executorFor({ jobs: flag(p, 'jobs'), queue: flag(p, 'queue'), retries: flag(p, 'retries') }) : undefined;
  const { signal, dispose } = interruptSignal();
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  try {
    const r = await reproduce({
      out, preset, seed, signal, log, jobs: executor?.concurrency,
      runOne: executor ? executorRunOne(executor, signal, log) : (dir, exp) => runOne(dir, exp.id, signal, json),
    });
    if (r.interrupted) {
      process.stderr.write(`reproduce: interrupted; run trainscope reproduce${preset !== 'small' ? ` --preset ${preset}` : ''}${flag(p, 'out') ? ` --out ${flag(p, 'out')}` : ''} again to continue\n`);
      return 130;
    }
    const claims = r.entries.flatMap((e) => e.claims);
    if (json) process.stdout.write(`${JSON.stringify({ out, index: r.index, failed: r.failed, experiments: r.entries })}\n`);
    else process.stdout.write(`reproduce: ${r.entries.length} experiment${r.entries.length === 1 ? '' : 's'}${r.failed ? ` (${r.failed} failed)` : ''}, claims ${claimCountText(claims)}; open ${join(relative(process.cwd(), out) || '.', 'index.html')}\n`);
    return r.failed ? 1 : 0;
  } finally {
    dispose();
    await executor?.close();
  }
}

async function cmdWatch(argv: readonly string[]): Promise<number> {
  const p = parseArgs('watch', argv, ['interval'], []);
  if (p.positional.length !== 1) throw new UsageError('trainscope watch: expected one run folder');
  const raw = flag(p, 'interval');
  const intervalMs = raw === undefined ? 500 : Number(raw);
  if (!Number.isFinite(intervalMs) || intervalMs < 10) throw new UsageError(`--interval must be a number of milliseconds ≥ 10, got '${raw}'`);
  const controller = new AbortController();
  const onSigint = (): void => controller.abort();
  process.on('SIGINT', onSigint);
  try {
    const r = await watchRun(resolve(p.positional[0]!), { intervalMs, signal: controller.signal });
    return r.status === 'failed' ? 1 : r.status === 'incomplete' ? 130 : 0;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

async function cmdReport(argv: readonly string[]): Promise<number> {
  const p = parseArgs('report', argv, [], []);
  if (p.positional.length !== 1) throw new UsageError('trainscope report: expected one run folder');
  const dir = resolve(p.positional[0]!);
  const { manifest, config } = readRun(dir);
  if (manifest.status !== 'complete') throw new Error(`run ${p.positional[0]} is ${manifest.status}; finish it with trainscope run --resume first`);
  const exp = getExperiment(manifest.experiment);
  const { decodeTree } = await import('../train/serialize.ts');
  const parsed = exp.config.parse(config);
  await writeReport(dir, exp.report(decodeTree(readSummary(dir).result), parsed), { ...manifest, config: parsed });
  process.stdout.write(`${join(p.positional[0]!, 'report.html')}\n`);
  return 0;
}

function cmdList(argv: readonly string[]): number {
  const p = parseArgs('list', argv, [], ['json']);
  const rows = EXPERIMENTS.map((e) => ({ id: e.id, title: e.title, paper: e.paper, presets: Object.keys(e.presets), configKeys: allowedKeys(e) }));
  if (p.flags.has('json')) process.stdout.write(`${JSON.stringify(rows)}\n`);
  else for (const r of rows) process.stdout.write(`${r.id.padEnd(28)} ${r.title}\n${' '.repeat(29)}presets: ${r.presets.join(', ')}; config: ${r.configKeys.join(', ')}\n`);
  return 0;
}

function cmdDoctor(argv: readonly string[]): number {
  const p = parseArgs('doctor', argv, [], ['json']);
  const b = backendInfo();
  const info: Record<string, unknown> = {
    trainscope: VERSION, node: process.version, platform: `${process.platform}-${process.arch}`,
    backend: b.name, availableBackends: availableBackends(), simd: b.simdKind, threads: b.threads, threadPolicy: b.threadPolicy, blas: b.blas,
    defaultDtype: 'float64', forcedBackend: process.env['TRAINSCOPE_BACKEND'] ?? null,
  };
  if (b.nativeError !== undefined) info['nativeUnavailable'] = b.nativeError;
  if (b.wasmError !== undefined) info['wasmUnavailable'] = b.wasmError;
  if (p.flags.has('json')) process.stdout.write(`${JSON.stringify(info)}\n`);
  else process.stdout.write(`trainscope doctor\n${Object.entries(info).map(([k, v]) => `  ${k.padEnd(18)} ${Array.isArray(v) ? v.join(', ') : v ?? '-'}`).join('\n')}\n`);
  return 0;
}

const COMMANDS: Record<string, (argv: readonly string[]) => number | Promise<number>> = {
  list: cmdList, run: cmdRun, report: cmdReport, reproduce: cmdReproduce, doctor: cmdDoctor, watch: cmdWatch, sweep: sweepCommand, worker: workerCommand,
};

export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === '--version' || command === '-v' || command === 'version') {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(HELP['main']!);
    return 0;
  }
  const fn = COMMANDS[command];
  if (!fn) {
    process.stderr.write(`trainscope: unknown command '${command}' (try trainscope --help)\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(HELP[command]!);
    return 0;
  }
  try {
    return await fn(rest);
  } catch (e) {
    process.stderr.write(`trainscope ${command}: ${(e as Error).message}\n`);
    return e instanceof UsageError || e instanceof SweepUsageError ? 2 : 1;
  }
}

