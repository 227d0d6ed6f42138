/**
 * Lossless JSON encoding of plain-data trees that may contain Tensors (parameters, optimizer
 * states, keys). Tensors become `{ "$tensor": { dtype, shape, data: base64 } }` so float64
 * values round-trip bit for bit.
 */
import { allocate, isDType } from '../tensor/dtype.ts';
import { fmt, sizeOf } from '../tensor/shape.ts';
import { Tensor } from '../tensor/tensor.ts';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** What `encodeTree` refuses, named for the error: things JSON would silently drop or flatten. */
function unsupportedKind(value: object): string | null {
  if (value instanceof Map) return 'a Map';
  if (value instanceof Set) return 'a Set';
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name} (wrap it in a Tensor)`;
  if (value instanceof ArrayBuffer) return 'an ArrayBuffer';
  const proto = Object.getPrototypeOf(value) as object | null;
  if (proto !== null && proto !== Object.prototype && !Array.isArray(value))
    return `an instance of ${(value.constructor as { name?: string } | undefined)?.name || 'a class'} (only plain objects, arrays and Tensors)`;
  return null;
}

/**
 * Plain data → JSON, refusing what would not come back the same from `decodeTree` (Map, Set,
 * typed arrays, class instances other than Tensor, functions, `undefined` inside arrays): a
 * checkpoint that silently loses part of a state resumes to different numbers. `undefined`
 * object fields are skipped, as JSON.stringify does.
 */
export function encodeTree(value: unknown, path = ''): Json {
  const where = path || '(root)';
  if (value instanceof Tensor) {
    const bytes = new Uint8Array(value.data.buffer, value.data.byteOffset, value.data.byteLength);
    return { $tensor: { dtype: value.dtype, shape: [...value.shape], data: Buffer.from(bytes).toString('base64') } };
  }
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'number') {
    // JSON cannot hold NaN/Infinity; encode them explicitly rather than silently as null.
    return Number.isFinite(value) ? value : { $number: String(value) };
  }
  if (typeof value === 'object') {
    const kind = unsupportedKind(value);
    if (kind) throw new Error(`encodeTree: cannot serialize ${kind} at ${where}`);
  }
  if (Array.isArray(value)) {
    // Array.from visits holes too (map would skip them and JSON would write null).
    return Array.from(value as unknown[], (v, i) => {
      if (v === undefined)
        throw new Error(`encodeTree: cannot serialize undefined at ${path}[${i}] (an array hole or undefined element would come back as null)`);
      return encodeTree(v, `${path}[${i}]`);
    });
  }
  if (typeof value === 'object') {
    const out: Record<string, Json> = {};
    for (const k of Object.keys(value as object)) {
      const v = (value as Record<string, unknown>)[k];
      if (v !== undefined) out[k] = encodeTree(v, path ? `${path}.${k}` : k);
    }
    return out;
  }
  throw new Error(`encodeTree: cannot serialize a ${typeof value} at ${where}`);
}

export function decodeTree(json: unknown, path = ''): unknown {
  if (json === null || typeof json !== 'object') return json;
  if (Array.isArray(json)) return json.map((v, i) => decodeTree(v, `${path}[${i}]`));
  const obj = json as Record<string, unknown>;
  if ('$number' in obj) return Number(obj['$number']);
  if ('$tensor' in obj) {
    const t = obj['$tensor'] as { dtype?: unknown; shape?: unknown; data?: unknown };
    const where = path || '(root)';
    if (!isDType(t.dtype)) throw new Error(`decodeTree: tensor at ${where} has unknown dtype ${JSON.stringify(t.dtype)}`);
    if (!Array.isArray(t.shape) || !t.shape.every((d) => Number.isInteger(d) && d >= 0)) throw new Error(`decodeTree: tensor at ${where} has an invalid shape`);
    if (typeof t.data !== 'string') throw new Error(`decodeTree: tensor at ${where} has no data`);
    const bytes = Buffer.from(t.data, 'base64');
    const out = allocate(t.dtype, sizeOf(t.shape as number[]));
    if (bytes.byteLength !== out.byteLength) {
      throw new Error(`decodeTree: tensor at ${where} holds ${bytes.byteLength} bytes, ${t.dtype} ${fmt(t.shape as number[])} needs ${out.byteLength}`);
    }
    new Uint8Array(out.buffer).set(bytes);
    return new Tensor(out, t.shape as number[], t.dtype);
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) out[k] = decodeTree(v, path ? `${path}.${k}` : k);
  return out;
}
