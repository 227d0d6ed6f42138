/**
 * saveTree / loadTree: any plain-data tree of Tensors (parameters, optimizer state, model state)
 * to one JSON file and back, bit for bit (equinox's tree_serialise_leaves, in spirit). loadTree
 * checks what it read against a skeleton — a tree of the expected structure, shapes and dtypes,
 * typically freshly initialized parameters — and names the first path that differs, so loading
 * a file from another model fails before it is used, not deep inside a matmul.
 */
import { readFileSync } from 'node:fs';
import { fmt } from '../tensor/shape.ts';
import { Tensor } from '../tensor/tensor.ts';
import { writeFileAtomic } from '../io/atomic-write.ts';
import { decodeTree, encodeTree } from './serialize.ts';

export const TREE_FORMAT = 'trainscope.tree';
export const TREE_VERSION = 1;

/** Write `tree` to `path` atomically. Throws, naming the path inside the tree, for what JSON cannot round-trip. */
export function saveTree(path: string, tree: unknown): void {
  writeFileAtomic(path, JSON.stringify({ format: TREE_FORMAT, version: TREE_VERSION, tree: encodeTree(tree) }));
}

const kindOf = (v: unknown): string =>
  v instanceof Tensor
    ? `a ${v.dtype} tensor ${fmt(v.shape)}`
    : v === null
      ? 'null'
      : Array.isArray(v)
        ? `an array of ${v.length}`
        : typeof v === 'object'
          ? 'an object'
          : `a ${typeof v}`;

/**
 * The first difference between `actual` and `skeleton`: structure (object keys, array lengths),
 * and for tensors their shape and dtype (values are not compared). Null when they match.
 */
export function treeMismatch(actual: unknown, skeleton: unknown, path = ''): string | null {
  const where = path || '(root)';
  if (skeleton instanceof Tensor) {
    if (!(actual instanceof Tensor)) return `${where}: expected a ${skeleton.dtype} tensor ${fmt(skeleton.shape)}, found ${kindOf(actual)}`;
    if (actual.dtype !== skeleton.dtype) return `${where}: dtype ${actual.dtype}, expected ${skeleton.dtype}`;
    if (actual.shape.length !== skeleton.shape.length || actual.shape.some((d, i) => d !== skeleton.shape[i]))
      return `${where}: shape ${fmt(actual.shape)}, expected ${fmt(skeleton.shape)}`;
    return null;
  }
  if (Array.isArray(skeleton)) {
    if (!Array.isArray(actual) || actual.length !== skeleton.length) return `${where}: expected an array of ${skeleton.length}, found ${kindOf(actual)}`;
    for (let i = 0; i < skeleton.length; i++) {
      const m = treeMismatch(actual[i], skeleton[i], `${path}[${i}]`);
      if (m) return m;
    }
    return null;
  }
  if (skeleton !== null && typeof skeleton === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual) || actual instanceof Tensor)
      return `${where}: expected an object, found ${kindOf(actual)}`;
    const want = Object.keys(skeleton)
      .filter((k) => (skeleton as Record<string, unknown>)[k] !== undefined)
      .sort();
    const have = new Set(Object.keys(actual));
    for (const k of want) {
      const sub = path ? `${path}.${k}` : k;
      if (!have.has(k)) return `${sub}: missing (the file has ${Object.keys(actual).sort().join(', ') || 'no keys'} here)`;
      const m = treeMismatch((actual as Record<string, unknown>)[k], (skeleton as Record<string, unknown>)[k], sub);
      if (m) return m;
    }
    const extra = [...have].filter((k) => !want.includes(k)).sort();
    if (extra.length) return `${path ? `${path}.${extra[0]}` : extra[0]}: not in the skeleton`;
    return null;
  }
  // Scalars (numbers, strings, booleans, null): only the kind must agree.
  if ((skeleton === null) !== (actual === null) || typeof actual !== typeof skeleton) return `${where}: expected ${kindOf(skeleton)}, found ${kindOf(actual)}`;
  return null;
}

/** Read a tree written by saveTree and check it against `skeleton` (structure, shapes, dtypes). */
export function loadTree<T>(path: string, skeleton: T): T {
  let doc: { format?: unknown; version?: unknown; tree?: unknown };
  try {
    doc = JSON.parse(readFileSync(path, 'utf8')) as typeof doc;
  } catch (e) {
    throw new Error(`loadTree ${path}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  if (doc === null || typeof doc !== 'object' || doc.format !== TREE_FORMAT)
    throw new Error(`loadTree ${path}: not a trainscope tree file (format ${JSON.stringify(doc?.format)})`);
  if (doc.version !== TREE_VERSION) throw new Error(`loadTree ${path}: version ${JSON.stringify(doc.version)} is not supported (expected ${TREE_VERSION})`);
  let tree: unknown;
  try {
    tree = decodeTree(doc.tree);
  } catch (e) {
    throw new Error(`loadTree ${path}: corrupt (${(e as Error).message})`);
  }
  const mismatch = treeMismatch(tree, skeleton);
  if (mismatch) throw new Error(`loadTree ${path}: does not match the skeleton at ${mismatch}`);
  return tree as T;
}
