/**
 * Structural checks for a training state handed in from outside (a previous `train` call, a
 * checkpoint, a hand-made state): does it belong to this model and this optimizer? Checked before
 * the first step, so a mix-up is one clear line instead of a shape error deep inside an update.
 */
import { Tensor } from '../tensor/tensor.ts';
import { fmt, shapesEqual } from '../tensor/shape.ts';

const kindOf = (v: unknown): string =>
  v instanceof Tensor ? `${v.dtype} tensor ${fmt(v.shape)}` : Array.isArray(v) ? `array of ${v.length}` : v === null ? 'null' : typeof v;

/**
 * The first place where `given` does not have the structure of `expected`, or undefined.
 * `exact: false` lets records in `given` hold keys that `expected` lacks (optimizer states that
 * grow as they meet new layers, like K-FAC's per-layer factors); every path of `expected` must
 * still be present with the same kind, shape and dtype.
 */
export function structureMismatch(expected: unknown, given: unknown, opts: { exact: boolean }, path = ''): string | undefined {
  const where = path || '(root)';
  if (expected instanceof Tensor) {
    if (!(given instanceof Tensor)) return `${where} should be a ${kindOf(expected)}, got ${kindOf(given)}`;
    if (!shapesEqual(expected.shape, given.shape) || expected.dtype !== given.dtype) return `${where} should be a ${kindOf(expected)}, got a ${kindOf(given)}`;
    return undefined;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(given) || given.length !== expected.length) return `${where} should be an ${kindOf(expected)}, got ${kindOf(given)}`;
    for (let i = 0; i < expected.length; i++) {
      const m = structureMismatch(expected[i], given[i], opts, `${path}[${i}]`);
      if (m) return m;
    }
    return undefined;
  }
  if (expected !== null && typeof expected === 'object') {
    if (given === null || typeof given !== 'object' || Array.isArray(given) || given instanceof Tensor)
      return `${where} should be a record, got ${kindOf(given)}`;
    const e = expected as Record<string, unknown>;
    const g = given as Record<string, unknown>;
    for (const k of Object.keys(e)) {
      if (e[k] === undefined) continue;
      if (!(k in g) || g[k] === undefined) return `${path ? `${path}.` : ''}${k} is missing`;
      const m = structureMismatch(e[k], g[k], opts, path ? `${path}.${k}` : k);
      if (m) return m;
    }
    if (opts.exact) {
      const extra = Object.keys(g).filter((k) => g[k] !== undefined && !(k in e));
      if (extra.length > 0) return `${path ? `${path}.` : ''}${extra[0]} is not expected here`;
    }
    return undefined;
  }
  if (typeof expected !== typeof given) return `${where} should be a ${typeof expected}, got ${kindOf(given)}`;
  return undefined;
}
