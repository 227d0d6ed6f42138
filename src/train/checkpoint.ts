/**
 * Checkpoints: one JSON file holding everything a run needs to continue exactly (params,
 * optimizer state, model buffers, data cursor, key, metrics so far). Written atomically (see
 * io/atomic-write.ts), keeping the replaced checkpoint as `<path>.prev`: when the newest one
 * cannot be read (a disk that lied, a hand edit), loading falls back to the previous good one.
 */
import { existsSync, readFileSync } from 'node:fs';
import { PREVIOUS_SUFFIX, writeFileAtomic } from '../io/atomic-write.ts';
import { decodeTree, encodeTree, type Json } from './serialize.ts';

// Re-exported: tree-io, safetensors and older callers import it from here.
export { writeFileAtomic };

export const CHECKPOINT_FORMAT = 'trainscope.checkpoint';
export const CHECKPOINT_VERSION = 1;

export function saveCheckpoint(path: string, payload: Record<string, unknown>): void {
  const doc = { format: CHECKPOINT_FORMAT, version: CHECKPOINT_VERSION, ...(encodeTree(payload) as Record<string, Json>) };
  writeFileAtomic(path, JSON.stringify(doc), { keepPrevious: true });
}

/** A checkpoint exists at `path`, or its previous good copy does. */
export const checkpointExists = (path: string): boolean => existsSync(path) || existsSync(`${path}${PREVIOUS_SUFFIX}`);

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

/**
 * Load `path`, or, when it is missing or unreadable, its previous good copy `<path>.prev`.
 * `fellBack` says why the newest was skipped (for one line on the terminal). When neither can be
 * read, the error names both files and says how to restart the stage.
 */
export function loadCheckpointOrPrevious(path: string): { payload: Record<string, unknown>; from: string; fellBack?: string } {
  const prev = `${path}${PREVIOUS_SUFFIX}`;
  let newest: Error | undefined;
  if (existsSync(path)) {
    try {
      return { payload: loadCheckpoint(path), from: path };
    } catch (e) {
      newest = e as Error;
    }
  }
  if (!existsSync(prev)) {
    throw new Error(
      `${newest?.message ?? `checkpoint ${path}: missing`}; no previous copy (${prev}) to fall back to: delete ${path} to restart this stage from its beginning`,
    );
  }
  try {
    return { payload: loadCheckpoint(prev), from: prev, fellBack: newest?.message ?? `checkpoint ${path}: missing` };
  } catch (e) {
    throw new Error(
      `${newest?.message ?? `checkpoint ${path}: missing`}, and its previous copy too (${(e as Error).message}): delete both to restart this stage from its beginning`,
    );
  }
}
