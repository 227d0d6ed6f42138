/**
 * A run folder as one compressed string (gzip of a JSON map path → base64 bytes), so a queue
 * worker can return a finished cell as its job result and the submitter can write it back.
 * Left out: what only a running or resuming run needs (partial metrics, progress, runner, temp
 * files) and, unless asked, checkpoints/ and stages/.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { PARTIAL_METRICS, PROGRESS_FILE, RUNNER_FILE } from '../experiments/run-folder.ts';

const SKIP = new Set([PARTIAL_METRICS, PROGRESS_FILE, RUNNER_FILE]);
const RESUME_ONLY = new Set(['checkpoints', 'stages']);

function files(root: string, dir: string, withCheckpoints: boolean): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return dir === root && RESUME_ONLY.has(e.name) && !withCheckpoints ? [] : files(root, p, withCheckpoints);
    return e.isFile() && !SKIP.has(e.name) && !e.name.includes('.tmp-') ? [relative(root, p).split('\\').join('/')] : [];
  });
}

export function packRunFolder(dir: string, withCheckpoints = false): string {
  const map: Record<string, string> = {};
  for (const f of files(dir, dir, withCheckpoints).sort()) map[f] = readFileSync(join(dir, f)).toString('base64');
  return gzipSync(JSON.stringify(map)).toString('base64');
}

/** Write a packed folder to `dest` whole: into a sibling temp folder first, then renamed over it. */
export function unpackRunFolder(packed: string, dest: string): string[] {
  const map = JSON.parse(gunzipSync(Buffer.from(packed, 'base64')).toString('utf8')) as Record<string, string>;
  const tmp = `${dest}.incoming-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  for (const [rel, b64] of Object.entries(map)) {
    if (rel.split('/').some((s) => s === '..' || s === '') || rel.startsWith('/')) throw new Error(`packed run folder holds an unsafe path '${rel}'`);
    const p = join(tmp, rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, Buffer.from(b64, 'base64'));
  }
  mkdirSync(dirname(dest), { recursive: true });
  rmSync(dest, { recursive: true, force: true });
  renameSync(tmp, dest);
  return Object.keys(map);
}
