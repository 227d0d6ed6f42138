/**
 * The js backend's elementwise binary ops (contract in kernels.ts): one loop per op, operand form
 * and array type, compiled once from the op's expression (BINARY_EXPR), so each loop stays
 * monomorphic for V8 (a shared loop calling `f(a, b)` goes megamorphic and is several times
 * slower on the small tensors where per-op overhead dominates).
 */
import { BINARY_EXPR, type BinaryOp, type FloatArray } from './kernels.ts';

type Loop = (x: FloatArray, y: FloatArray, out: FloatArray, n: number) => void;
/** The short operand (`y` for 'right', `x` for 'left') repeats every `block` elements. */
type BlockLoop = (x: FloatArray, y: FloatArray, out: FloatArray, n: number, block: number) => void;

interface Loops { same: Loop; scalarLeft: Loop; scalarRight: Loop; blockLeft: BlockLoop; blockRight: BlockLoop }

function loop(expr: string, a: string, b: string): Loop {
  return new Function('x', 'y', 'out', 'n', `for (let i = 0; i < n; i++) { const a = ${a}, b = ${b}; out[i] = ${expr}; }`) as Loop;
}

function blockLoop(expr: string, side: 'left' | 'right'): BlockLoop {
  const a = side === 'left' ? 'x[j]' : 'x[o + j]';
  const b = side === 'right' ? 'y[j]' : 'y[o + j]';
  return new Function('x', 'y', 'out', 'n', 'block',
    `for (let o = 0; o < n; o += block) for (let j = 0; j < block; j++) { const a = ${a}, b = ${b}; out[o + j] = ${expr}; }`) as BlockLoop;
}

function compile(expr: string): Loops {
  return {
    same: loop(expr, 'x[i]', 'y[i]'),
    scalarLeft: loop(expr, 'x[0]', 'y[i]'),
    scalarRight: loop(expr, 'x[i]', 'y[0]'),
    blockLeft: blockLoop(expr, 'left'),
    blockRight: blockLoop(expr, 'right'),
  };
}

/** Per op: [float64 loops, float32 loops], compiled on first use. */
const cache = new Map<BinaryOp, [Loops | undefined, Loops | undefined]>();

export function binaryInto(op: BinaryOp, x: FloatArray, y: FloatArray, out: FloatArray): void {
  const f32 = x instanceof Float32Array ? 1 : 0;
  let pair = cache.get(op);
  if (!pair) {
    if (!(op in BINARY_EXPR)) throw new Error(`js binary: unknown op '${String(op)}' (expected one of ${Object.keys(BINARY_EXPR).join(', ')})`);
    cache.set(op, (pair = [undefined, undefined]));
  }
  const l = (pair[f32] ??= compile(BINARY_EXPR[op]));
  const nx = x.length, ny = y.length;
  if (nx === ny) l.same(x, y, out, nx);
  else if (ny === 1) l.scalarRight(x, y, out, nx);
  else if (nx === 1) l.scalarLeft(x, y, out, ny);
  else if (ny < nx) l.blockRight(x, y, out, nx, ny);
  else l.blockLeft(x, y, out, ny, nx);
}
