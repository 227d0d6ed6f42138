/**
 * Lossless JSON encoding of plain-data trees that may contain Tensors (parameters, optimizer
 * states, keys). Tensors become `{ "$tensor": { dtype, shape, data: base64 } }` so float64
 * values round-trip bit for bit.
 */
import { allocate, isDType } from '../tensor/dtype.ts';
import { fmt, sizeOf } from '../tensor/shape.ts';
import { Tensor } from '../tensor/tensor.ts';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export function encodeTree(value: unknown, path = ''): Json {
  if (value instanceof Tensor) {
    const bytes = new Uint8Array(value.data.buffer, value.data.byteOffset, value.data.byteLength);
    return { $tensor: { dtype: value.dtype, shape: [...value.shape], data: Buffer.from(bytes).toString('base64') } };
  }
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'number') {
    // JSON cannot hold NaN/Infinity; encode them explicitly rather than silently as null.
    return Number.isFinite(value) ? value : { $number: String(value) };
  }
  if (Array.isArray(value)) return value.map((v, i) => encodeTree(v, `${path}[${i}]`));
  if (typeof value === 'object') {
    const out: Record<string, Json> = {};
    for (const k of Object.keys(value as object)) {
      const v = (value as Record<string, unknown>)[k];
      if (v !== undefined) out[k] = encodeTree(v, path ? `${path}.${k}` : k);
    }
    return out;
  }
  throw new Error(`encodeTree: cannot serialize ${typeof value} at ${path || '(root)'}`);
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
