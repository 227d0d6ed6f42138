/**
 * The js backend's elementwise binary ops (contract in kernels.ts: `binary` and `elementwise`):
 * one loop per op, operand form and array type, compiled once from the op's expression, so each
 * loop stays monomorphic for V8 (a shared loop calling `f(a, b)` goes megamorphic and is several
 * times slower on the small tensors where per-op overhead dominates).
 */
import { BINARY_EXPR, type BinaryOp, type DataArray, type ElementwiseOp, type FloatArray } from './kernels.ts';
import { perType } from './js-types.ts';

/** Every ElementwiseOp as a JS expression of a and b. */
const EXPR: Record<ElementwiseOp, string> = {
  ...BINARY_EXPR,
  pow: 'Math.pow(a, b)',
  eq: 'a === b ? 1 : 0',
  ne: 'a !== b ? 1 : 0',
  lt: 'a < b ? 1 : 0',
  le: 'a <= b ? 1 : 0',
  gt: 'a > b ? 1 : 0',
  ge: 'a >= b ? 1 : 0',
};

type Loop = (x: DataArray, y: DataArray, out: DataArray, n: number) => void;
/** The short operand (`y` for 'right', `x` for 'left') repeats every `block` elements. */
type BlockLoop = (x: DataArray, y: DataArray, out: DataArray, n: number, block: number) => void;

interface Loops {
  same: Loop;
  scalarLeft: Loop;
  scalarRight: Loop;
  blockLeft: BlockLoop;
  blockRight: BlockLoop;
}

function loop(expr: string, a: string, b: string): Loop {
  return new Function('x', 'y', 'out', 'n', `for (let i = 0; i < n; i++) { const a = ${a}, b = ${b}; out[i] = ${expr}; }`) as Loop;
}

function blockLoop(expr: string, side: 'left' | 'right'): BlockLoop {
  const a = side === 'left' ? 'x[j]' : 'x[o + j]';
  const b = side === 'right' ? 'y[j]' : 'y[o + j]';
  return new Function(
    'x',
    'y',
    'out',
    'n',
    'block',
    `for (let o = 0; o < n; o += block) for (let j = 0; j < block; j++) { const a = ${a}, b = ${b}; out[o + j] = ${expr}; }`,
  ) as BlockLoop;
}

const loops = perType((op: ElementwiseOp): Loops => {
  // Checked here, on first use only: a later call of a known op costs nothing extra.
  if (!Object.hasOwn(EXPR, op)) throw new Error(`js elementwise: unknown op '${String(op)}' (expected one of ${Object.keys(EXPR).join(', ')})`);
  const expr = EXPR[op];
  return {
    same: loop(expr, 'x[i]', 'y[i]'),
    scalarLeft: loop(expr, 'x[0]', 'y[i]'),
    scalarRight: loop(expr, 'x[i]', 'y[0]'),
    blockLeft: blockLoop(expr, 'left'),
    blockRight: blockLoop(expr, 'right'),
  };
});

export function elementwiseInto(op: ElementwiseOp, x: DataArray, y: DataArray, out: DataArray): void {
  const l = loops(op, x);
  const nx = x.length,
    ny = y.length;
  if (nx === ny) l.same(x, y, out, nx);
  else if (ny === 1) l.scalarRight(x, y, out, nx);
  else if (nx === 1) l.scalarLeft(x, y, out, ny);
  else if (ny < nx) l.blockRight(x, y, out, nx, ny);
  else l.blockLeft(x, y, out, ny, nx);
}

export function binaryInto(op: BinaryOp, x: FloatArray, y: FloatArray, out: FloatArray): void {
  if (!Object.hasOwn(BINARY_EXPR, op)) throw new Error(`js binary: unknown op '${String(op)}' (expected one of ${Object.keys(BINARY_EXPR).join(', ')})`);
  elementwiseInto(op, x, y, out);
}
