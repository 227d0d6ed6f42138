/**
 * The js backend's unary elementwise ops, select and casts (contract in kernels.ts). Unary loops
 * are compiled once per op and array type from the op's expression (see js-types.ts: one shared
 * loop calling `f(a)` would go megamorphic and run several times slower on small tensors).
 */
import type { DataArray, UnaryOp } from './kernels.ts';
import { perType } from './js-types.ts';

/** Every UnaryOp as a JS expression of a. */
const EXPR: Record<UnaryOp, string> = {
  neg: '-a',
  exp: 'Math.exp(a)',
  log: 'Math.log(a)',
  sin: 'Math.sin(a)',
  cos: 'Math.cos(a)',
  tanh: 'Math.tanh(a)',
  // Evaluated on the side of 0 where exp cannot overflow.
  sigmoid: 'a >= 0 ? 1 / (1 + Math.exp(-a)) : Math.exp(a) / (1 + Math.exp(a))',
  sqrt: 'Math.sqrt(a)',
  abs: 'Math.abs(a)',
  sign: 'a > 0 ? 1 : a < 0 ? -1 : a', // sign(±0) = ±0, sign(NaN) = NaN
};

type Loop = (x: DataArray, out: DataArray, n: number) => void;

const loops = perType((op: UnaryOp): Loop => {
  if (!Object.hasOwn(EXPR, op)) throw new Error(`js unary: unknown op '${String(op)}' (expected one of ${Object.keys(EXPR).join(', ')})`);
  return new Function('x', 'out', 'n', `for (let i = 0; i < n; i++) { const a = x[i]; out[i] = ${EXPR[op]}; }`) as Loop;
});

export function unaryInto(op: UnaryOp, x: DataArray, out: DataArray): void {
  loops(op, x)(x, out, out.length);
}

export function selectInto(cond: DataArray, x: DataArray, y: DataArray, out: DataArray): void {
  for (let i = 0; i < x.length; i++) out[i] = cond[i] ? x[i]! : y[i]!;
}

export function castInto(x: DataArray, out: DataArray): void {
  if (out instanceof Int32Array) for (let i = 0; i < x.length; i++) out[i] = Math.trunc(x[i]!);
  else if (out instanceof Uint8Array) for (let i = 0; i < x.length; i++) out[i] = x[i] ? 1 : 0;
  else out.set(x);
}
