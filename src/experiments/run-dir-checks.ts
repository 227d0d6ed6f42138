/**
 * Checks on a folder before a run writes into it or resumes from it, each failing with one line
 * that says what to do: `--out` onto a folder that is not a run, leftovers of a run without its
 * manifest, symbolic links inside a run folder.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { LOCK_FILE, lockState, RunLockedError } from './run-lock.ts';

/** Files a run folder may hold before its manifest is written (the lock and its contenders' temp files). */
const isLockFile = (name: string): boolean => name === LOCK_FILE || name.startsWith(`${LOCK_FILE}.`);

/**
 * A folder a new run may be written into: missing, empty, or (with `force`) holding files that
 * are not a run. A folder holding a run, or stages/ or checkpoints/ without a manifest, is refused.
 */
export function checkNewRunDir(dir: string, force: boolean): void {
  let entries: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new Error(`output directory ${dir} is not a directory`);
    entries = readdirSync(dir).filter((n) => !isLockFile(n));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === undefined) throw e;
    // Missing (the usual case), or not reachable (ENOTDIR, EACCES): creating it says which, with the path.
    return;
  }
  // Another process creating this run right now (its files appear before the manifest): say so, as its lock does.
  const held = lockState(dir);
  if (held.state === 'alive' && held.info.pid !== process.pid && !entries.includes('manifest.json')) throw new RunLockedError(dir, held.info);
  if (entries.includes('manifest.json'))
    throw new Error(`output directory ${dir} already holds a run (manifest.json exists); choose another --out or use --resume`);
  const leftovers = entries.filter((n) => n === 'stages' || n === 'checkpoints');
  if (leftovers.length) {
    throw new Error(
      `output directory ${dir} holds ${leftovers.join(' and ')} of an earlier run but no manifest.json, so nothing says which config they belong to; refusing to reuse them: choose another --out or delete them`,
    );
  }
  if (entries.length && !force) {
    const shown = entries.slice(0, 3).join(', ');
    throw new Error(
      `output directory ${dir} is not empty and holds no run (${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}: ${shown}${entries.length > 3 ? ', …' : ''}); choose a new or empty folder, or pass --force to write the run among those files`,
    );
  }
}

/** The first symbolic link under `dir` (relative path), or undefined. */
export function findSymlink(dir: string, rel = ''): string | undefined {
  for (const e of readdirSync(join(dir, rel), { withFileTypes: true })) {
    const p = rel ? join(rel, e.name) : e.name;
    if (e.isSymbolicLink()) return p;
    if (e.isDirectory()) {
      const inner = findSymlink(dir, p);
      if (inner) return inner;
    }
  }
  return undefined;
}

/** A run folder resumes only from its own files: a link inside could point into another run (or anywhere). The folder itself may be reached through a link. */
export function refuseSymlinks(dir: string): void {
  const link = findSymlink(dir);
  if (link)
    throw new Error(
      `run ${dir} contains a symbolic link (${link}); refusing to resume from files outside the folder: replace the link with the file itself or delete it`,
    );
}
