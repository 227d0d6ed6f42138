/**
 * Checkpoints: one JSON file holding everything a run needs to continue exactly (params,
 * optimizer state, model buffers, data cursor, key, metrics so far). Written atomically — a
 * temp file in the same directory, fsync'd, then renamed over the old one — so a crash leaves
 * either the previous checkpoint or the new one, never half of one.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { decodeTree, encodeTree, type Json } from './serialize.ts';

export const CHECKPOINT_FORMAT = 'trainscope.checkpoint';
export const CHECKPOINT_VERSION = 1;

/** Write `text` (or bytes) to `path` atomically (temp file + fsync + rename). */
export function writeFileAtomic(path: string, text: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    const fd = openSync(tmp, 'w');
    try {
      if (typeof text === 'string') writeSync(fd, text);
      else for (let off = 0; off < text.byteLength; ) off += writeSync(fd, text, off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

export function saveCheckpoint(path: string, payload: Record<string, unknown>): void {
  const doc = { format: CHECKPOINT_FORMAT, version: CHECKPOINT_VERSION, ...(encodeTree(payload) as Record<string, Json>) };
  writeFileAtomic(path, JSON.stringify(doc));
}

/** Read and validate a checkpoint; errors say which file and what is wrong with it. */
export function loadCheckpoint(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`checkpoint ${path}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new Error(`checkpoint ${path}: corrupt (not valid JSON; ${text.length} bytes)`);
  }
  const d = doc as Record<string, unknown>;
  if (d === null || typeof d !== 'object' || d['format'] !== CHECKPOINT_FORMAT) {
    throw new Error(`checkpoint ${path}: not a trainscope checkpoint (format ${JSON.stringify(d?.['format'])})`);
  }
  if (d['version'] !== CHECKPOINT_VERSION) {
    throw new Error(`checkpoint ${path}: version ${JSON.stringify(d['version'])} is not supported (expected ${CHECKPOINT_VERSION})`);
  }
  try {
    return decodeTree(d) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`checkpoint ${path}: corrupt (${(e as Error).message})`);
  }
}
