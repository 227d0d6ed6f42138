/**
 * watch: follow a run folder while another process runs it. Polls metrics.partial.jsonl (every
 * record the moment it is logged) and progress.json, prints new records compactly and progress
 * when it moves, and returns when the manifest says the run is complete, failed or incomplete.
 * Polling, not fs.watch: it works the same on every file system (NFS, Docker volumes) and costs a
 * few reads a second.
 */
import { closeSync, existsSync, fstatSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { PARTIAL_METRICS, readProgress, readRun, shownStatus, type Manifest, type RunStatus, type ShownStatus } from './run-folder.ts';

export interface WatchOptions {
  /** Where lines go (a newline ends each); default stdout. */
  write?: (text: string) => void;
  /** Poll period in ms (default 500). */
  intervalMs?: number;
  /** Stops watching (Ctrl-C); the run itself is not touched. */
  signal?: AbortSignal;
}

export interface WatchResult {
  /** The run's status when watching ended ('running' when stopped by the signal; 'interrupted' when its process died). */
  status: ShownStatus;
  /** Records printed. */
  records: number;
  manifest: Manifest;
}

const FINAL: ReadonlySet<RunStatus> = new Set(['complete', 'failed', 'incomplete']);

/** A number short enough to scan: integers as they are, others to 4 significant digits. */
function fmtValue(v: unknown): string {
  if (typeof v === 'number') return Number.isInteger(v) || !Number.isFinite(v) ? String(v) : String(Number(v.toPrecision(4)));
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}

/** One record on one line: step first, then every other field as key=value. */
export function formatRecord(rec: Record<string, unknown>): string {
  const keys = Object.keys(rec).sort((a, b) => (a === 'step' ? -1 : b === 'step' ? 1 : 0));
  return keys.map((k) => `${k}=${fmtValue(rec[k])}`).join(' ');
}

/** Bytes of `path` from `offset`, or null when the file does not exist. */
/** The complete lines from `offset` on (bytes up to the last newline, so a UTF-8 character or a record is never split), and the file size. */
function readFrom(path: string, offset: number): { text: string; bytes: number; size: number } | null {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return null;
  }
  try {
    const size = fstatSync(fd).size;
    if (size <= offset) return { text: '', bytes: 0, size };
    const buf = Buffer.alloc(size - offset);
    const n = readSync(fd, buf, 0, buf.length, offset);
    const bytes = buf.subarray(0, n).lastIndexOf(0x0a) + 1;
    return { text: buf.subarray(0, bytes).toString('utf8'), bytes, size };
  } finally {
    closeSync(fd);
  }
}

const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

export async function watchRun(dir: string, opts: WatchOptions = {}): Promise<WatchResult> {
  const write = opts.write ?? ((t: string) => void process.stdout.write(t));
  const interval = opts.intervalMs ?? 500;
  let { manifest } = readRun(dir); // throws "… is not a run folder" first
  write(`watching ${manifest.experiment} (preset ${manifest.preset}, seed ${manifest.seed}): ${manifest.status}\n`);
  let offset = 0;
  let pending = '';
  let records = 0;
  let lastProgress = '';
  const drain = (): void => {
    // The partial file is removed once metrics.jsonl holds the same lines: read on from there.
    const partial = join(dir, PARTIAL_METRICS);
    const chunk = readFrom(partial, offset) ?? (existsSync(partial) ? null : readFrom(join(dir, 'metrics.jsonl'), offset));
    if (!chunk) return;
    if (chunk.size < offset) {
      // Rewritten from the start (the run was resumed): replay it.
      write('(the run restarted; replaying its records)\n');
      offset = 0;
      pending = '';
      return drain();
    }
    offset += chunk.bytes;
    pending += chunk.text;
    const lines = pending.split('\n');
    pending = lines.pop()!; // a line still being written waits for its newline
    for (const line of lines) {
      if (!line.trim()) continue;
      let rec: unknown;
      try {
        rec = JSON.parse(line);
      } catch {
        write(`(unreadable record: ${line.slice(0, 80)})\n`);
        continue;
      }
      records++;
      write(`${rec !== null && typeof rec === 'object' && !Array.isArray(rec) ? formatRecord(rec as Record<string, unknown>) : line}\n`);
    }
  };
  const showProgress = (): void => {
    const p = readProgress(dir);
    if (!p) return;
    const pct = p.total > 0 ? ` ${Math.floor((100 * p.step) / p.total)}%` : '';
    const text = `[${p.stage}] ${p.step}/${p.total}${pct}${p.loss === undefined ? '' : ` loss ${fmtValue(p.loss)}`}`;
    if (text !== lastProgress) write(`${text}\n`);
    lastProgress = text;
  };
  for (;;) {
    ({ manifest } = readRun(dir));
    drain();
    if (FINAL.has(manifest.status)) break;
    showProgress();
    if (shownStatus(dir, manifest) === 'interrupted') {
      // Killed without a chance to mark the folder (SIGKILL, power loss): waiting would be forever.
      write(`run interrupted: its process is gone and the folder was left 'running'; continue it with trainscope run --resume ${dir}\n`);
      return { status: 'interrupted', records, manifest };
    }
    if (opts.signal?.aborted) return { status: manifest.status, records, manifest };
    await sleep(interval, opts.signal);
  }
  const tail =
    manifest.status === 'complete'
      ? `run complete${manifest.wallSec === undefined ? '' : ` in ${manifest.wallSec}s`}: ${records} records`
      : manifest.status === 'failed'
        ? `run failed: ${manifest.error ?? 'no error recorded'}`
        : `run incomplete (interrupted): continue it with trainscope run --resume ${dir}`;
  write(`${tail}\n`);
  return { status: manifest.status, records, manifest };
}
