/**
 * Run folders: runs/<id>/<timestamp>-<confighash>/ with manifest.json, config.json,
 * metrics.jsonl, stages/ and checkpoints/ (for resume), summary.json, figures/, report.html,
 * report.md. The manifest's `status` says whether a folder is complete; it turns 'complete'
 * only after the summary and report are written.
 *
 * While a run runs, metrics.partial.jsonl receives every record the moment it is logged and
 * progress.json the latest progress (a few times a second), so `trainscope watch` can follow it;
 * metrics.jsonl itself only grows by whole stages, so it stays byte-identical across resumes.
 * At completion the partial file equals metrics.jsonl and is removed.
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { accessSync, appendFileSync, constants, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { writeFileAtomic } from '../train/checkpoint.ts';
import { encodeTree, decodeTree } from '../train/serialize.ts';
import { kernels } from '../kernels/backend.ts';
import * as random from '../tensor/random.ts';
import { VERSION } from '../version.ts';
import { RunInterrupted, type Experiment, type PresetName, type RunIO } from './experiment.ts';
import type { ProgressSink } from './progress.ts';
import { configJsonSchema } from './config-schema.ts';
import type { Claim } from '../report/spec.ts';
import type { ProgressUpdate } from './experiment.ts';

export type RunStatus = 'running' | 'incomplete' | 'failed' | 'complete';

export interface Manifest {
  experiment: string;
  title: string;
  paper: string;
  preset: PresetName;
  seed: number;
  configHash: string;
  gitSha: string;
  trainscope: string;
  node: string;
  backend: string;
  dtype: string;
  createdAt: string;
  status: RunStatus;
  finishedAt?: string;
  wallSec?: number;
  error?: string;
  /** When the first attempt started executing (absent: never run yet). */
  startedAt?: string;
  /** One entry per resumed attempt: when, on which kernel backend, and where the previous attempt stopped. */
  resumes?: ResumeRecord[];
}

export interface ResumeRecord {
  at: string;
  backend: string;
  /** The stage and step the previous attempt last reported (from progress.json), if it reported any. */
  stage?: string;
  step?: number;
}

/** Files a running run writes for `trainscope watch`. */
export const PARTIAL_METRICS = 'metrics.partial.jsonl';
export const PROGRESS_FILE = 'progress.json';
/** { pid, host } of the process running the folder; present only while it runs. */
export const RUNNER_FILE = 'runner.json';

/**
 * The process that runs `dir`, from its runner.json: 'alive' or 'gone' when it names a pid on
 * this host, 'unknown' otherwise (no runner file, another host).
 */
export function runnerState(dir: string): { state: 'alive' | 'gone' | 'unknown'; pid?: number } {
  let r: { pid?: unknown; host?: unknown };
  try {
    r = JSON.parse(readFileSync(join(dir, RUNNER_FILE), 'utf8')) as typeof r;
  } catch {
    return { state: 'unknown' };
  }
  if (typeof r.pid !== 'number' || r.host !== hostname()) return { state: 'unknown' };
  try {
    process.kill(r.pid, 0);
    return { state: 'alive', pid: r.pid };
  } catch (e) {
    return { state: (e as NodeJS.ErrnoException).code === 'ESRCH' ? 'gone' : 'alive', pid: r.pid };
  }
}
/** progress.json is rewritten at most this often (ms), so progress costs the training loop nothing. */
const PROGRESS_WRITE_MS = 250;

export interface Summary {
  experiment: string;
  claims: Claim[];
  result: unknown;
}

const readJson = <T>(path: string, what: string): T => {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (e) {
    throw new Error(`${what} ${path}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
};

function gitSha(): string {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { stdio: ['ignore', 'pipe', 'ignore'], cwd: new URL('../..', import.meta.url).pathname }).toString().trim();
  } catch {
    return 'unknown';
  }
}

export function configHash(config: unknown): string {
  return createHash('sha256').update(JSON.stringify(config)).digest('hex').slice(0, 8);
}

/** Fail early, with the path in the message, when a folder cannot be created or written. */
export function ensureWritableDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch (e) {
    throw new Error(`output directory ${dir} is not writable (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

export function newRunDir(root: string, id: string, config: unknown): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  let dir = resolve(root, id, `${stamp}-${configHash(config)}`);
  for (let i = 2; existsSync(dir); i++) dir = resolve(root, id, `${stamp}-${configHash(config)}-${i}`);
  return dir;
}

const safeName = (s: string): string => s.replace(/[^A-Za-z0-9._-]+/g, '_');

export interface ExecuteOptions {
  progress: ProgressSink;
  signal: AbortSignal;
}

/** The dtype a run computes in: its config's `dtype` key when it has one, else the default float64. */
function configDtype(config: Record<string, unknown>): string {
  return typeof config['dtype'] === 'string' ? config['dtype'] : 'float64';
}

/** Write `text` via a temp file + rename (no fsync: progress is advisory, and this runs often). */
function replaceFile(path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

/** The last progress a run reported (progress.json), or undefined. */
export function readProgress(dir: string): (ProgressUpdate & { at?: string }) | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, PROGRESS_FILE), 'utf8')) as ProgressUpdate & { at?: string };
  } catch {
    return undefined;
  }
}

/** Write the manifest and config of a new run; returns the manifest. */
/** The JSON Schema file beside config.json. */
export const CONFIG_SCHEMA = 'config.schema.json';

export function initRunDir(dir: string, exp: Experiment<any, any>, config: Record<string, unknown>, preset: PresetName, seed: number): Manifest {
  ensureWritableDir(dir);
  if (existsSync(join(dir, 'manifest.json'))) throw new Error(`output directory ${dir} already holds a run (manifest.json exists); choose another --out or use --resume`);
  const manifest: Manifest = {
    experiment: exp.id, title: exp.title, paper: exp.paper, preset, seed, configHash: configHash(config),
    gitSha: gitSha(), trainscope: VERSION, node: process.version, backend: kernels().name, dtype: configDtype(config),
    createdAt: new Date().toISOString(), status: 'running',
  };
  // config.json names its JSON Schema (written beside it), so an editor checks a copy edited for --config.
  writeFileAtomic(join(dir, CONFIG_SCHEMA), `${JSON.stringify(configJsonSchema(exp), null, 2)}\n`);
  writeFileAtomic(join(dir, 'config.json'), `${JSON.stringify({ $schema: `./${CONFIG_SCHEMA}`, ...config }, null, 2)}\n`);
  writeFileAtomic(join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  writeFileSync(join(dir, 'metrics.jsonl'), '');
  return manifest;
}

export function readRun(dir: string): { manifest: Manifest; config: Record<string, unknown> } {
  if (!existsSync(join(dir, 'manifest.json'))) throw new Error(`${dir} is not a run folder (no manifest.json)`);
  // `$schema` is for editors, not a config key.
  const { $schema: _schema, ...config } = readJson<Record<string, unknown>>(join(dir, 'config.json'), 'config');
  return { manifest: readJson<Manifest>(join(dir, 'manifest.json'), 'manifest'), config };
}

/**
 * Run (or resume) `exp` in `dir`. Completed stages are reused; metrics.jsonl is rebuilt from
 * them, so a resumed run's metrics equal an uninterrupted run's byte for byte.
 */
export async function executeRun(dir: string, exp: Experiment<any, any>, opts: ExecuteOptions): Promise<{ manifest: Manifest; summary?: Summary }> {
  const { manifest: stored, config } = readRun(dir);
  if (stored.status === 'complete') throw new Error(`run ${dir} is already complete`);
  const runner = runnerState(dir);
  if (runner.state === 'alive' && runner.pid !== process.pid) throw new Error(`run ${dir} is being run by process ${runner.pid}; follow it with trainscope watch`);
  const parsed = exp.config.safeParse(config);
  if (!parsed.success) throw new Error(`run ${dir}: its config.json no longer matches ${exp.id}'s schema (${parsed.error.issues[0]?.message})`);
  // A folder that has started before is being resumed: record when, on which backend, from where.
  const last = readProgress(dir);
  const manifest: Manifest = stored.startedAt === undefined
    ? { ...stored, startedAt: new Date().toISOString() }
    : { ...stored, resumes: [...(stored.resumes ?? []), { at: new Date().toISOString(), backend: kernels().name, ...(last ? { stage: last.stage, step: last.step } : {}) }] };
  const metricsPath = join(dir, 'metrics.jsonl');
  const partialPath = join(dir, PARTIAL_METRICS);
  writeFileSync(metricsPath, '');
  writeFileSync(partialPath, '');
  mkdirSync(join(dir, 'stages'), { recursive: true });
  mkdirSync(join(dir, 'checkpoints'), { recursive: true });
  let buffer: Record<string, unknown>[] | undefined;
  const lines = (recs: readonly Record<string, unknown>[]): string => recs.map((r) => `${JSON.stringify(r)}\n`).join('');
  const stream = (recs: readonly Record<string, unknown>[]): void => {
    if (recs.length) appendFileSync(partialPath, lines(recs));
  };
  const write = (recs: readonly Record<string, unknown>[]): void => {
    if (recs.length) appendFileSync(metricsPath, lines(recs));
  };
  let lastProgressWrite = -Infinity;
  let lastStage = '';
  const progress = (u: ProgressUpdate): void => {
    opts.progress(u);
    const now = performance.now();
    if (now - lastProgressWrite < PROGRESS_WRITE_MS && u.stage === lastStage && u.step < u.total) return;
    lastProgressWrite = now;
    lastStage = u.stage;
    replaceFile(join(dir, PROGRESS_FILE), `${JSON.stringify({ ...u, at: new Date().toISOString() })}\n`);
  };
  const io: RunIO = {
    seed: manifest.seed,
    key: random.key(manifest.seed),
    signal: opts.signal,
    progress,
    log: (record) => {
      if (buffer) buffer.push(record);
      else write([record]);
      stream([record]);
    },
    stage: async <T>(name: string, fn: (checkpointPath: string) => T | Promise<T>): Promise<T> => {
      if (buffer) throw new Error(`stage '${name}': stages cannot be nested`);
      const file = join(dir, 'stages', `${safeName(name)}.json`);
      if (existsSync(file)) {
        const saved = decodeTree(readJson(file, 'stage')) as { result: T; records: Record<string, unknown>[] };
        write(saved.records);
        stream(saved.records);
        return saved.result;
      }
      buffer = [];
      try {
        const result = await fn(join(dir, 'checkpoints', `${safeName(name)}.json`));
        if (opts.signal.aborted) throw new RunInterrupted();
        writeFileAtomic(file, JSON.stringify(encodeTree({ result, records: buffer })));
        write(buffer);
        return result;
      } finally {
        buffer = undefined;
      }
    },
  };
  const t0 = performance.now();
  const setStatus = (status: RunStatus, extra: Partial<Manifest> = {}): Manifest => {
    const m = { ...manifest, ...extra, status };
    writeFileAtomic(join(dir, 'manifest.json'), `${JSON.stringify(m, null, 2)}\n`);
    return m;
  };
  setStatus('running');
  // Which process runs the folder, so `watch` can tell a run that died (kill -9) from a slow one.
  writeFileSync(join(dir, RUNNER_FILE), `${JSON.stringify({ pid: process.pid, host: hostname() })}\n`);
  try {
    const result = await exp.run(parsed.data, io);
    if (opts.signal.aborted) throw new RunInterrupted();
    const spec = exp.report(result, parsed.data);
    const summary: Summary = { experiment: exp.id, claims: spec.claims, result: encodeTree(result) };
    writeFileAtomic(join(dir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
    const wallSec = Math.round((performance.now() - t0) / 10) / 100;
    const finished = { ...manifest, status: 'complete' as const, finishedAt: new Date().toISOString(), wallSec };
    // Imported here: report/ pulls in vega and resvg, which `watch` and `list` never need.
    const { writeReport } = await import('../report/index.ts');
    await writeReport(dir, spec, { ...finished, config: parsed.data });
    const done = setStatus('complete', { finishedAt: finished.finishedAt, wallSec });
    // metrics.jsonl now holds every record: the partial copy has served its purpose.
    rmSync(partialPath, { force: true });
    return { manifest: done, summary };
  } catch (e) {
    if (e instanceof RunInterrupted || opts.signal.aborted) return { manifest: setStatus('incomplete') };
    setStatus('failed', { error: (e as Error).message });
    throw e;
  } finally {
    rmSync(join(dir, RUNNER_FILE), { force: true });
  }
}

export function readSummary(dir: string): Summary {
  return readJson<Summary>(join(dir, 'summary.json'), 'summary');
}
