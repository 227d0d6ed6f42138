/**
 * One writer per run folder: `<dir>/.lock`, created exclusively (a complete temp file hard-linked
 * into place, so the lock is never seen half-written), holding { pid, host, startedAt }. Released
 * when the holder ends (also on process.exit). A live holder makes the next one fail with a clear
 * error; a lock whose process is gone (same host, no such pid) is reported and taken over.
 * Re-entrant within one process (the CLI holds it across initRunDir and executeRun).
 */
import { closeSync, fsyncSync, linkSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

export const LOCK_FILE = '.lock';

export interface LockInfo {
  pid: number;
  host: string;
  startedAt: string;
}

export interface RunLock {
  readonly info: LockInfo;
  /** Release (once per acquire; the file goes when the last holder in this process releases). */
  release(): void;
}

/** Whose lock it is: 'alive' (its process runs, or another host holds it), 'gone' (a dead pid here), 'none'. */
export type LockState = { state: 'none' } | { state: 'alive' | 'gone'; info: LockInfo };

export function readLock(dir: string): LockInfo | undefined {
  try {
    const v = JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')) as Partial<LockInfo>;
    if (typeof v.pid === 'number' && typeof v.host === 'string') return { pid: v.pid, host: v.host, startedAt: String(v.startedAt ?? '?') };
  } catch {
    // Missing or unreadable: no usable lock.
  }
  return undefined;
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

export function lockState(dir: string): LockState {
  const info = readLock(dir);
  if (!info) return { state: 'none' };
  // Another host's pid cannot be checked from here: treat it as alive.
  return { state: info.host !== hostname() || processAlive(info.pid) ? 'alive' : 'gone', info };
}

/** The error for a folder another process holds; keeps the words `trainscope watch` tests look for. */
export class RunLockedError extends Error {
  constructor(dir: string, info: LockInfo) {
    const foreign = info.host !== hostname() ? ` on host ${info.host}; delete the lock if that process is gone` : '';
    super(
      `run ${dir} is being run by process ${info.pid}; follow it with trainscope watch ${dir} (it holds ${join(dir, LOCK_FILE)} since ${info.startedAt}${foreign})`,
    );
    this.name = 'RunLockedError';
  }
}

const held = new Map<string, { count: number; info: LockInfo }>();
let exitHookInstalled = false;

/** Create `<dir>/.lock` with `info` unless it exists; false when it does. */
function tryCreate(dir: string, info: LockInfo): boolean {
  const lock = join(dir, LOCK_FILE);
  // Not named *.tmp-<pid>: the holder's temp-file sweep must not remove a contender's lock in the making.
  const tmp = `${lock}.${process.pid}.new`;
  const fd = openSync(tmp, 'w');
  try {
    const bytes = Buffer.from(`${JSON.stringify(info)}\n`);
    for (let off = 0; off < bytes.length; ) off += writeSync(fd, bytes, off);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(tmp, lock); // atomic and exclusive: fails with EEXIST when a lock is there
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new Error(`cannot lock run folder ${dir} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  } finally {
    rmSync(tmp, { force: true });
  }
}

/**
 * Take over a stale lock under a second, short-lived exclusive file, so two processes that both
 * find it stale cannot both remove it (the second would remove the first's fresh lock).
 */
function takeOver(dir: string, stale: LockInfo, info: LockInfo): boolean {
  const guard = join(dir, `${LOCK_FILE}.takeover`);
  try {
    // A guard left by a process killed mid-takeover (a few ms of work) is old: clear it.
    if (Date.now() - statSync(guard).mtimeMs > 10_000) rmSync(guard, { force: true });
  } catch {
    // No guard: the usual case.
  }
  let fd: number;
  try {
    fd = openSync(guard, 'wx');
  } catch {
    return false; // someone else is taking it over
  }
  closeSync(fd);
  try {
    const now = readLock(dir);
    if (now && (now.pid !== stale.pid || now.startedAt !== stale.startedAt)) return false;
    rmSync(join(dir, LOCK_FILE), { force: true });
    return tryCreate(dir, info);
  } finally {
    rmSync(guard, { force: true });
  }
}

/** A contender killed between writing its lock file and linking it leaves `.lock.<pid>.new`: clear those of dead pids. */
function removeDeadContenders(dir: string): void {
  for (const name of readdirSync(dir)) {
    const m = /^\.lock\.(\d+)\.new$/.exec(name);
    if (m && !processAlive(Number(m[1]))) rmSync(join(dir, name), { force: true });
  }
}

function releaseAllOnExit(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // process.exit (a second Ctrl-C) skips finally blocks: still leave no lock behind.
  process.on('exit', () => {
    for (const dir of held.keys()) removeOwnLock(dir);
    held.clear();
  });
}

function removeOwnLock(dir: string): void {
  const now = readLock(dir);
  if (now && now.pid === process.pid && now.host === hostname()) rmSync(join(dir, LOCK_FILE), { force: true });
}

/**
 * Lock `dir` (created if missing) for this process. Throws RunLockedError when a live process
 * holds it; a stale lock is taken over after `report` gets one line about it.
 */
export function acquireRunLock(dir: string, report: (line: string) => void = (l) => void process.stderr.write(`${l}\n`)): RunLock {
  const mine = held.get(dir);
  if (mine) {
    mine.count++;
    return handle(dir, mine.info);
  }
  mkdirSync(dir, { recursive: true });
  const info: LockInfo = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    if (tryCreate(dir, info)) {
      removeDeadContenders(dir);
      held.set(dir, { count: 1, info });
      releaseAllOnExit();
      return handle(dir, info);
    }
    const s = lockState(dir);
    if (s.state === 'alive') throw new RunLockedError(dir, s.info);
    if (s.state === 'gone') {
      if (takeOver(dir, s.info, info)) {
        report(`trainscope: ${dir} was locked by process ${s.info.pid} (started ${s.info.startedAt}), which is gone; took the lock over`);
        removeDeadContenders(dir);
        held.set(dir, { count: 1, info });
        releaseAllOnExit();
        return handle(dir, info);
      }
    }
    // 'none' (the holder just released it) or a lost takeover race: look again.
  }
  const s = lockState(dir);
  if (s.state !== 'none') throw new RunLockedError(dir, s.info);
  throw new Error(`cannot lock run folder ${dir}: its ${LOCK_FILE} keeps changing; another process is starting on it`);
}

function handle(dir: string, info: LockInfo): RunLock {
  let released = false;
  return {
    info,
    release: () => {
      if (released) return;
      released = true;
      const h = held.get(dir);
      if (!h) return;
      if (--h.count > 0) return;
      held.delete(dir);
      removeOwnLock(dir);
    },
  };
}
