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
 *
 * Trust: every file is written by io/atomic-write.ts; one process at a time holds the folder's
 * `.lock` (run-lock.ts); stage files and checkpoints carry the config hash and seed and are
 * refused when they belong to another run; a resume compares git SHA, backend and Node with the
 * manifest (run-env.ts) and records itself in `resumes`; a 'running' folder whose process is gone
 * is shown as 'interrupted' (`shownStatus`).
 */
import { createHash } from 'node:crypto';
import { accessSync, appendFileSync, constants, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PREVIOUS_SUFFIX, removeTempFiles, writeFileAtomic } from '../io/atomic-write.ts';
import { encodeTree, decodeTree } from '../train/serialize.ts';
import { kernels } from '../kernels/backend.ts';
import { checkNewRunDir, refuseSymlinks } from './run-dir-checks.ts';
import { currentEnv, envMismatches, type RunEnv } from './run-env.ts';
import { acquireRunLock, LOCK_FILE, lockState } from './run-lock.ts';
import * as random from '../tensor/random.ts';
import { VERSION } from '../version.ts';
import { RunInterrupted, type Experiment, type PresetName, type RunIO } from './experiment.ts';
import type { ProgressSink } from './progress.ts';
import { configJsonSchema } from './config-schema.ts';
import type { Claim } from '../report/spec.ts';
import type { ProgressUpdate } from './experiment.ts';

export type RunStatus = 'running' | 'incomplete' | 'failed' | 'complete';
/** What `report`, `watch` and index.html show: a 'running' folder whose process is gone is 'interrupted'. */
export type ShownStatus = RunStatus | 'interrupted';

export interface Manifest {
  experiment: string;
  title: string;
  paper: string;
  preset: PresetName;
  seed: number;
  configHash: string;
  gitSha: string;
  /** Uncommitted changes to tracked files at creation (absent: not a git checkout, or an older folder). */
  gitDirty?: boolean;
  /** Hash of `git diff HEAD` when dirty. */
  gitDiff?: string;
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
  /** One entry per resumed attempt: when, in which environment, and where the previous attempt stopped. */
  resumes?: ResumeRecord[];
}

export interface ResumeRecord {
  at: string;
  backend: string;
  gitSha?: string;
  gitDirty?: boolean;
  node?: string;
  /** What differed from the manifest (git, backend, Node); present only when `--allow-mismatch` let it go on. */
  mismatches?: string[];
  /** The stage and step the previous attempt last reported (from progress.json), if it reported any. */
  stage?: string;
  step?: number;
}

/** Files a running run writes for `trainscope watch`. */
export const PARTIAL_METRICS = 'metrics.partial.jsonl';
export const PROGRESS_FILE = 'progress.json';
/** The folder's lock file: { pid, host, startedAt } of the process running it, present only while it runs. */
export const RUNNER_FILE = LOCK_FILE;

/**
 * The process that runs `dir`, from its lock: 'alive' (or held from another host), 'gone' when
 * it names a dead pid on this host, 'unknown' when there is no lock.
 */
export function runnerState(dir: string): { state: 'alive' | 'gone' | 'unknown'; pid?: number } {
  const s = lockState(dir);
  return s.state === 'none' ? { state: 'unknown' } : { state: s.state, pid: s.info.pid };
}

/**
 * The status to show: the manifest's, except that a folder left 'running' by a process that is
 * gone (kill -9, a full disk, power loss) is 'interrupted' — nothing runs it any more.
 */
export function shownStatus(dir: string, manifest: Manifest): ShownStatus {
  if (manifest.status !== 'running' || manifest.startedAt === undefined) return manifest.status;
  if (lockState(dir).state === 'alive') return 'running';
  // Read again after the lock check: a run that just finished wrote its status, then unlocked.
  let now: RunStatus = manifest.status;
  try {
    now = readRun(dir).manifest.status;
  } catch {
    // Unreadable now: judge by what we were given.
  }
  return now === 'running' ? 'interrupted' : now;
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
  const stamp = new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  let dir = resolve(root, id, `${stamp}-${configHash(config)}`);
  for (let i = 2; existsSync(dir); i++) dir = resolve(root, id, `${stamp}-${configHash(config)}-${i}`);
  return dir;
}

const safeName = (s: string): string => s.replace(/[^A-Za-z0-9._-]+/g, '_');

export interface ExecuteOptions {
  progress: ProgressSink;
  signal: AbortSignal;
  /** Resume even when git SHA, backend or Node differ from the manifest (recorded in `resumes`). */
  allowMismatch?: boolean;
  /** Keep every checkpoint file of a completed run (default: only the last per stage). */
  keepCheckpoints?: boolean;
  /** One-line notices (a stale lock taken over, temp files removed); default stderr. */
  notice?: (line: string) => void;
}

export interface InitOptions {
  /** Write the run into a non-empty folder that holds no run. */
  force?: boolean;
  notice?: (line: string) => void;
}

const stderrLine = (line: string): void => void process.stderr.write(`${line}\n`);

/** The dtype a run computes in: its config's `dtype` key when it has one, else the default float64. */
function configDtype(config: Record<string, unknown>): string {
  return typeof config['dtype'] === 'string' ? config['dtype'] : 'float64';
}

/** progress.json is advisory and rewritten often: atomic but not fsync'd, and a failed write never stops the run. */
function writeProgress(path: string, text: string): void {
  try {
    writeFileAtomic(path, text, { durable: false });
  } catch {
    // A full disk fails the next checkpoint or stage write, which says so; progress can wait.
  }
}

/** The last progress a run reported (progress.json), or undefined. */
export function readProgress(dir: string): (ProgressUpdate & { at?: string }) | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, PROGRESS_FILE), 'utf8')) as ProgressUpdate & { at?: string };
  } catch {
    return undefined;
  }
}

/** The JSON Schema file beside config.json. */
export const CONFIG_SCHEMA = 'config.schema.json';

/**
 * Write the manifest and config of a new run; returns the manifest. Refuses (writing nothing) a
 * folder that holds a run, leftovers of one, or (without `force`) other files; holds the
 * folder's lock while it writes, so of two processes creating one folder only one gets there.
 */
export function initRunDir(
  dir: string,
  exp: Experiment<any, any>,
  config: Record<string, unknown>,
  preset: PresetName,
  seed: number,
  opts: InitOptions = {},
): Manifest {
  const env = currentEnv(); // an unknown TRAINSCOPE_BACKEND fails here, before anything is written
  checkNewRunDir(dir, opts.force ?? false);
  ensureWritableDir(dir);
  const lock = acquireRunLock(dir, opts.notice ?? stderrLine);
  try {
    checkNewRunDir(dir, opts.force ?? false); // again, under the lock: another process may have been first
    const manifest: Manifest = {
      experiment: exp.id,
      title: exp.title,
      paper: exp.paper,
      preset,
      seed,
      configHash: configHash(config),
      ...envFields(env),
      trainscope: VERSION,
      dtype: configDtype(config),
      createdAt: new Date().toISOString(),
      status: 'running',
    };
    // config.json names its JSON Schema (written beside it), so an editor checks a copy edited for --config.
    writeFileAtomic(join(dir, CONFIG_SCHEMA), `${JSON.stringify(configJsonSchema(exp), null, 2)}\n`);
    writeFileAtomic(join(dir, 'config.json'), `${JSON.stringify({ $schema: `./${CONFIG_SCHEMA}`, ...config }, null, 2)}\n`);
    writeFileAtomic(join(dir, 'metrics.jsonl'), '');
    // Last: a folder with a manifest is a run.
    writeFileAtomic(join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    return manifest;
  } finally {
    lock.release();
  }
}

export function readRun(dir: string): { manifest: Manifest; config: Record<string, unknown> } {
  if (!existsSync(join(dir, 'manifest.json'))) throw new Error(`${dir} is not a run folder (no manifest.json)`);
  // `$schema` is for editors, not a config key.
  const { $schema: _schema, ...config } = readJson<Record<string, unknown>>(join(dir, 'config.json'), 'config');
  return { manifest: readJson<Manifest>(join(dir, 'manifest.json'), 'manifest'), config };
}

/**
 * Run (or resume) `exp` in `dir`, holding its lock throughout (a second process fails with
 * "is being run by process N"). Completed stages are reused; metrics.jsonl is rebuilt from them,
 * so a resumed run's metrics equal an uninterrupted run's byte for byte (on the same backend).
 */
export async function executeRun(dir: string, exp: Experiment<any, any>, opts: ExecuteOptions): Promise<{ manifest: Manifest; summary?: Summary }> {
  if (!existsSync(join(dir, 'manifest.json'))) readRun(dir); // "not a run folder" before a lock is made there
  const notice = opts.notice ?? stderrLine;
  const lock = acquireRunLock(dir, notice);
  try {
    return await executeLocked(dir, exp, opts, notice);
  } finally {
    lock.release();
  }
}

/** Why a resume in this environment is refused (empty: it may go on), and the record it leaves. */
function resumeRecord(dir: string, stored: Manifest, allowMismatch: boolean): ResumeRecord {
  const env = currentEnv();
  const mismatches = envMismatches(stored, env);
  if (mismatches.length && !allowMismatch) {
    throw new Error(
      `run ${dir}: refusing to resume: ${mismatches.join(', ')} since it started, so its metrics would not match an uninterrupted run's; resume with the original setup, or pass --allow-mismatch to go on (recorded in the manifest)`,
    );
  }
  const last = readProgress(dir);
  return {
    at: new Date().toISOString(),
    backend: env.backend,
    gitSha: env.gitSha,
    ...(env.gitDirty !== undefined ? { gitDirty: env.gitDirty } : {}),
    node: env.node,
    ...(mismatches.length ? { mismatches } : {}),
    ...(last ? { stage: last.stage, step: last.step } : {}),
  };
}

/** The manifest fields that say where a run ran. */
function envFields(env: RunEnv): Pick<Manifest, 'gitSha' | 'gitDirty' | 'gitDiff' | 'backend' | 'node'> {
  return { gitSha: env.gitSha, gitDirty: env.gitDirty, gitDiff: env.gitDiff, backend: env.backend, node: env.node };
}

/** Completed runs keep only the last checkpoint per stage: the previous copies go. */
function pruneCheckpoints(dir: string): void {
  const cps = join(dir, 'checkpoints');
  if (!existsSync(cps)) return;
  for (const f of readdirSync(cps)) if (f.endsWith(PREVIOUS_SUFFIX)) rmSync(join(cps, f), { force: true });
}

async function executeLocked(
  dir: string,
  exp: Experiment<any, any>,
  opts: ExecuteOptions,
  notice: (line: string) => void,
): Promise<{ manifest: Manifest; summary?: Summary }> {
  refuseSymlinks(dir);
  const { manifest: stored, config } = readRun(dir);
  if (stored.status === 'complete') throw new Error(`run ${dir} is already complete`);
  if (configHash(config) !== stored.configHash)
    throw new Error(
      `run ${dir}: config.json does not match the manifest's config hash (${stored.configHash}; it was edited?); refusing to run it: start a new run with the config you want`,
    );
  const parsed = exp.config.safeParse(config);
  if (!parsed.success) throw new Error(`run ${dir}: its config.json no longer matches ${exp.id}'s schema (${parsed.error.issues[0]?.message})`);
  // A folder that has started before is being resumed: check what changed, record when and where from.
  // A first start records the environment it really runs in (a queued folder may be run elsewhere).
  const manifest: Manifest =
    stored.startedAt === undefined
      ? { ...stored, ...envFields(currentEnv()), startedAt: new Date().toISOString() }
      : { ...stored, resumes: [...(stored.resumes ?? []), resumeRecord(dir, stored, opts.allowMismatch ?? false)] };
  const owner = { configHash: stored.configHash, seed: stored.seed };
  // Every stage file must be this run's before anything is written (they are small: results and records).
  const stagesDir = join(dir, 'stages');
  if (existsSync(stagesDir)) for (const f of readdirSync(stagesDir)) if (f.endsWith('.json')) readStage(join(stagesDir, f), f.slice(0, -5), owner);
  // Nothing else writes here while we hold the lock: temp files are what killed writers left.
  const removed = removeTempFiles(dir);
  if (removed.length) notice(`trainscope: removed ${removed.length} temp file${removed.length === 1 ? '' : 's'} left in ${dir} by an interrupted write`);
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
    writeProgress(join(dir, PROGRESS_FILE), `${JSON.stringify({ ...u, at: new Date().toISOString() })}\n`);
  };
  const io: RunIO = {
    seed: manifest.seed,
    key: random.key(manifest.seed),
    checkpointMeta: owner,
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
        const saved = readStage<T>(file, name, owner);
        write(saved.records);
        stream(saved.records);
        return saved.result;
      }
      buffer = [];
      try {
        const result = await fn(join(dir, 'checkpoints', `${safeName(name)}.json`));
        if (opts.signal.aborted) throw new RunInterrupted();
        writeFileAtomic(file, JSON.stringify(encodeTree({ ...owner, result, records: buffer })));
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
    if (!opts.keepCheckpoints) pruneCheckpoints(dir);
    const done = setStatus('complete', { finishedAt: finished.finishedAt, wallSec });
    // metrics.jsonl now holds every record: the partial copy has served its purpose.
    rmSync(partialPath, { force: true });
    return { manifest: done, summary };
  } catch (e) {
    if (e instanceof RunInterrupted || opts.signal.aborted) return { manifest: setStatus('incomplete') };
    try {
      setStatus('failed', { error: (e as Error).message });
    } catch {
      // The disk that failed the run may fail this too; the folder then shows as 'interrupted'.
    }
    throw e;
  }
}

/** A stage file, refused when it belongs to another config or seed (or cannot be read). */
function readStage<T>(file: string, name: string, owner: { configHash: string; seed: number }): { result: T; records: Record<string, unknown>[] } {
  let saved: { configHash?: unknown; seed?: unknown; result: T; records: Record<string, unknown>[] };
  try {
    saved = decodeTree(JSON.parse(readFileSync(file, 'utf8'))) as typeof saved;
  } catch (e) {
    throw new Error(`stage file ${file} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): delete it to rerun stage '${name}'`);
  }
  if (saved.configHash !== owner.configHash || saved.seed !== owner.seed) {
    throw new Error(
      `stage file ${file} belongs to another run (config hash ${JSON.stringify(saved.configHash ?? null)}, seed ${JSON.stringify(saved.seed ?? null)}; this run ${owner.configHash}, seed ${owner.seed}); refusing to reuse it: start a new run in another folder`,
    );
  }
  return saved;
}

export function readSummary(dir: string): Summary {
  return readJson<Summary>(join(dir, 'summary.json'), 'summary');
}
