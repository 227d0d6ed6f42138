/**
 * The one way trainscope replaces a file: write every byte to a temp file beside it, fsync it,
 * rename it over the target, fsync the directory. A crash or a full disk leaves either the old
 * file or the new one under the final name, never part of one, and errors name the file and say
 * what to do. `keepPrevious` also keeps the replaced version as `<path>.prev` (checkpoints fall
 * back to it when the newest one turns out unreadable).
 *
 * Lives in src/io/, below every other layer, so train/, report/ and experiments/ share it.
 */
import { closeSync, copyFileSync, existsSync, fsyncSync, linkSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export interface AtomicWriteOptions {
  /** Keep the file being replaced as `<path>.prev` (replaced atomically too). */
  keepPrevious?: boolean;
  /** fsync file and folder (default true); false for advisory files rewritten often (progress.json). */
  durable?: boolean;
}

/** Suffix of the previous good copy kept by `keepPrevious`. */
export const PREVIOUS_SUFFIX = '.prev';
/** Temp files are `<name>.tmp-<pid>`: a kill leaves them behind, and `removeTempFiles` finds them. */
const TEMP_RE = /\.tmp-\d+$/;
export const isTempFile = (name: string): boolean => TEMP_RE.test(name);
const tempPath = (path: string): string => `${path}.tmp-${process.pid}`;

/**
 * Test-only seam: make writes to files whose path contains `match` stop after `afterBytes` bytes,
 * either as a short write (`writeSync` returning fewer bytes, then 0) or an ENOSPC error — what a
 * full disk does — after `skip` such writes went through. Set in-process with `injectWriteFault`,
 * or in a child process through TRAINSCOPE_TEST_WRITE_FAULT=`<match>:<afterBytes>[:short|enospc[:<skip>]]`.
 * Production code never sets it.
 */
export interface WriteFault {
  match: string;
  afterBytes: number;
  kind: 'enospc' | 'short';
  /** Matching writes that succeed before the fault hits (default 0). */
  skip?: number;
}
let matchingWrites = 0;
let fault: WriteFault | undefined = parseFaultEnv(process.env['TRAINSCOPE_TEST_WRITE_FAULT']);

function parseFaultEnv(v: string | undefined): WriteFault | undefined {
  if (!v) return undefined;
  const [match, bytes, kind, skip] = v.split(':');
  return { match: match ?? '', afterBytes: Number(bytes ?? 0), kind: kind === 'short' ? 'short' : 'enospc', skip: Number(skip ?? 0) };
}

export function injectWriteFault(f: WriteFault | undefined): void {
  fault = f;
  matchingWrites = 0;
}

/** Whether the fault hits this write of `target` (counted once per file written). */
function faultHits(target: string): boolean {
  if (!fault || !target.includes(fault.match)) return false;
  return ++matchingWrites > (fault.skip ?? 0);
}

/** writeSync, through the test seam. */
function writeBytes(fd: number, buf: Uint8Array, off: number, faulty: boolean): number {
  if (fault && faulty && buf.byteLength > fault.afterBytes) {
    const room = Math.max(0, fault.afterBytes - off);
    if (room > 0) return writeSync(fd, buf, off, room);
    if (fault.kind === 'short') return 0;
    throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
  }
  return writeSync(fd, buf, off, buf.byteLength - off);
}

/** What to do about a failed write, by error code. */
function advice(code: string | undefined): string {
  if (code === 'ENOSPC' || code === 'EDQUOT') return 'the disk is full: free space, then run again';
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') return 'the folder is not writable: fix its permissions or choose another folder';
  return 'check the disk and the folder, then run again';
}

/** fsync a directory so a rename in it survives a power cut (a no-op where directories cannot be opened). */
function syncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some platforms and file systems refuse fsync on a directory; the rename itself still happened.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Replace `prev` with a copy of `path` (a hard link when the file system has them), atomically. */
function keepCopy(path: string, prev: string): void {
  const tmp = tempPath(prev);
  rmSync(tmp, { force: true });
  try {
    linkSync(path, tmp);
  } catch {
    copyFileSync(path, tmp);
  }
  renameSync(tmp, prev);
}

/** Write `data` to `path` atomically; throws `cannot write <path> (<code>): <advice>; <path> is unchanged`. */
export function writeFileAtomic(path: string, data: string | Uint8Array, opts: AtomicWriteOptions = {}): void {
  const dir = dirname(path);
  const tmp = tempPath(path);
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  try {
    mkdirSync(dir, { recursive: true });
    const faulty = faultHits(path);
    const fd = openSync(tmp, 'w');
    try {
      // writeSync may write fewer bytes than asked (a full disk, a signal): loop until all are down.
      for (let off = 0; off < bytes.byteLength; ) {
        const n = writeBytes(fd, bytes, off, faulty);
        if (n <= 0) throw Object.assign(new Error(`short write: ${off} of ${bytes.byteLength} bytes written`), { code: 'ENOSPC' });
        off += n;
      }
      if (opts.durable !== false) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    if (opts.keepPrevious && existsSync(path)) keepCopy(path, `${path}${PREVIOUS_SUFFIX}`);
    renameSync(tmp, path);
    if (opts.durable !== false) syncDir(dir);
  } catch (e) {
    rmSync(tmp, { force: true });
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(
      `cannot write ${path} (${code ?? (e as Error).message}): ${advice(code)}; ${existsSync(path) ? `the previous ${basename(path)} is intact` : 'nothing was written'}`,
    );
  }
}

/**
 * Remove temp files (`*.tmp-<pid>`) that killed writers left in `dir` and, recursively, its
 * sub-folders; call it only while holding the folder's lock (then no other writer is at work).
 * Returns the paths removed.
 */
export function removeTempFiles(dir: string): string[] {
  const removed: string[] = [];
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return removed;
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) removed.push(...removeTempFiles(p));
    else if (isTempFile(e.name)) {
      rmSync(p, { force: true });
      removed.push(p);
    }
  }
  return removed;
}
