/**
 * Parameters as safetensors (Hugging Face's format), so trained weights open in PyTorch, JAX or
 * any other safetensors reader. Layout: an 8-byte little-endian unsigned header length N, N bytes
 * of JSON header `{ name: { dtype, shape, data_offsets: [begin, end] }, __metadata__?: {str: str} }`
 * (offsets relative to the first byte after the header), then the tensors' bytes, little-endian
 * and row-major, back to back with no holes. Names are the tree's dotted paths (`layers.0.w`).
 * The header is padded with spaces to a multiple of 8 bytes so every tensor starts 8-aligned, as
 * the reference writer does.
 */
import { readFileSync } from 'node:fs';
import { endianness } from 'node:os';
import { allocate, type DType } from '../tensor/dtype.ts';
import { fmt, sizeOf } from '../tensor/shape.ts';
import { Tensor } from '../tensor/tensor.ts';
import { treeFlatten, type Tree } from '../tensor/tree.ts';
import { writeFileAtomic } from '../io/atomic-write.ts';
import { treeMismatch } from './tree-io.ts';

const TO_ST: Record<DType, string> = { float64: 'F64', float32: 'F32', int32: 'I32', bool: 'BOOL' };
const FROM_ST: Record<string, DType> = { F64: 'float64', F32: 'float32', I32: 'int32', BOOL: 'bool' };
const BYTES: Record<DType, number> = { float64: 8, float32: 4, int32: 4, bool: 1 };
/** The reference implementation refuses larger headers; so do we (a corrupt length would otherwise allocate gigabytes). */
const MAX_HEADER = 100 * 1024 * 1024;

function requireLittleEndian(what: string): void {
  // Typed arrays use the machine's byte order; safetensors is little-endian.
  if (endianness() !== 'LE') throw new Error(`${what}: safetensors is little-endian and this machine is big-endian (not supported)`);
}

/** `layers[0].w` → `layers.0.w`, the naming PyTorch's state_dict and safetensors files use. */
export function dottedPath(treePath: string): string {
  return treePath.replace(/\[(\d+)\]/g, '.$1').replace(/^\./, '');
}

/** Serialize a tree of tensors to safetensors bytes. */
export function encodeSafetensors(tree: Tree, metadata?: Readonly<Record<string, string>>): Uint8Array {
  requireLittleEndian('saveSafetensors');
  const { leaves, paths } = treeFlatten(tree);
  const header: Record<string, unknown> = {};
  if (metadata !== undefined) {
    for (const [k, v] of Object.entries(metadata))
      if (typeof v !== 'string') throw new Error(`saveSafetensors: __metadata__ value of '${k}' must be a string, got ${typeof v}`);
    header['__metadata__'] = { ...metadata };
  }
  let offset = 0;
  leaves.forEach((t, i) => {
    const name = dottedPath(paths[i]!);
    if (name === '__metadata__' || name in header) throw new Error(`saveSafetensors: two leaves map to the name '${name}' (rename a key in the tree)`);
    const end = offset + t.data.byteLength;
    header[name] = { dtype: TO_ST[t.dtype], shape: [...t.shape], data_offsets: [offset, end] };
    offset = end;
  });
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const padded = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + padded + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(padded), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + padded);
  let at = 8 + padded;
  for (const t of leaves) {
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), at);
    at += t.data.byteLength;
  }
  return out;
}

/** Write the tensors of `tree` (parameters, typically) to `path` as safetensors, atomically. */
export function saveSafetensors(path: string, tree: Tree, metadata?: Readonly<Record<string, string>>): void {
  writeFileAtomic(path, encodeSafetensors(tree, metadata));
}

export interface SafetensorsContents {
  /** Tensors by name, in header order. */
  tensors: Record<string, Tensor>;
  metadata?: Record<string, string>;
}

/** Parse safetensors bytes, checking every header field against the file before using it. */
export function decodeSafetensors(bytes: Uint8Array, what = 'safetensors'): SafetensorsContents {
  requireLittleEndian(what);
  const bad = (msg: string): Error => new Error(`${what}: ${msg}`);
  if (bytes.byteLength < 8) throw bad(`only ${bytes.byteLength} bytes; a safetensors file starts with an 8-byte header length`);
  const n = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(0, true);
  if (n > BigInt(Math.min(MAX_HEADER, bytes.byteLength - 8))) throw bad(`header length ${n} does not fit in the file (${bytes.byteLength} bytes)`);
  const headerEnd = 8 + Number(n);
  let header: unknown;
  try {
    header = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset + 8, Number(n)).toString('utf8'));
  } catch {
    throw bad('the header is not valid JSON');
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) throw bad('the header is not a JSON object');
  const dataLen = bytes.byteLength - headerEnd;
  const out: SafetensorsContents = { tensors: {} };
  const ranges: [number, number, string][] = [];
  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (entry === null || typeof entry !== 'object' || Array.isArray(entry) || !Object.values(entry).every((v) => typeof v === 'string'))
        throw bad('__metadata__ must map strings to strings');
      out.metadata = { ...(entry as Record<string, string>) };
      continue;
    }
    const e = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const dtype = typeof e?.dtype === 'string' ? FROM_ST[e.dtype] : undefined;
    if (dtype === undefined) throw bad(`tensor '${name}' has dtype ${JSON.stringify(e?.dtype)} (supported: ${Object.keys(FROM_ST).join(', ')})`);
    if (!Array.isArray(e.shape) || !e.shape.every((d) => Number.isSafeInteger(d) && d >= 0))
      throw bad(`tensor '${name}' has an invalid shape ${JSON.stringify(e.shape)}`);
    const off = e.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || !off.every((o) => Number.isSafeInteger(o) && o >= 0) || off[0] > off[1] || off[1] > dataLen) {
      throw bad(`tensor '${name}' has data_offsets ${JSON.stringify(off)} outside the ${dataLen} data bytes`);
    }
    const shape = e.shape as number[];
    const [begin, end] = off as [number, number];
    if (end - begin !== sizeOf(shape) * BYTES[dtype])
      throw bad(`tensor '${name}': ${end - begin} bytes for ${e.dtype as string} ${fmt(shape)}, which needs ${sizeOf(shape) * BYTES[dtype]}`);
    // Copy into a fresh, aligned array: offsets in foreign files need not be multiples of 8.
    const data = allocate(dtype, sizeOf(shape));
    new Uint8Array(data.buffer).set(bytes.subarray(headerEnd + begin, headerEnd + end));
    out.tensors[name] = new Tensor(data, shape, dtype);
    ranges.push([begin, end, name]);
  }
  // The format forbids holes and overlaps: the ranges must tile the data exactly.
  ranges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let expected = 0;
  for (const [begin, end, name] of ranges) {
    if (begin !== expected) throw bad(`tensor '${name}' starts at byte ${begin}, expected ${expected} (the data has a hole or an overlap)`);
    expected = end;
  }
  if (expected !== dataLen) throw bad(`${dataLen - expected} data bytes after the last tensor belong to none`);
  return out;
}

/** Read a safetensors file: every tensor by name, and the metadata if any. */
export function readSafetensors(path: string): SafetensorsContents {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new Error(`readSafetensors ${path}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return decodeSafetensors(bytes, `readSafetensors ${path}`);
}

/** Read a safetensors file into the structure of `skeleton`, checking names, shapes and dtypes. */
export function loadSafetensors<T extends Tree>(path: string, skeleton: T): T {
  const { tensors } = readSafetensors(path);
  const { paths, unflatten } = treeFlatten(skeleton);
  const names = paths.map(dottedPath);
  const missing = names.find((n) => !(n in tensors));
  if (missing !== undefined)
    throw new Error(
      `loadSafetensors ${path}: no tensor '${missing}' in the file (it has ${Object.keys(tensors).slice(0, 8).join(', ')}${Object.keys(tensors).length > 8 ? ', …' : ''})`,
    );
  const extra = Object.keys(tensors).find((n) => !names.includes(n));
  if (extra !== undefined) throw new Error(`loadSafetensors ${path}: tensor '${extra}' is not in the skeleton`);
  const tree = unflatten(names.map((n) => tensors[n]!));
  const mismatch = treeMismatch(tree, skeleton);
  if (mismatch) throw new Error(`loadSafetensors ${path}: does not match the skeleton at ${mismatch}`);
  return tree;
}
