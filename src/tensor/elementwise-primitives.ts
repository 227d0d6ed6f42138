/**
 * Elementwise primitives: unary math, binary arithmetic, comparisons, select, casts. The loops are
 * kernels (src/kernels/): float ops with a `binary` kernel go there, every other binary op to
 * `elementwise`. Rules: elementwise-rules.ts.
 */
import { firstNotInt32, type DType } from './dtype.ts';
import { allocateOutput as allocate } from './arena.ts';
import { Tensor } from './tensor.ts';
import { kernels } from '../kernels/backend.ts';
import { COMPARE_OPS, type BinaryOp, type ElementwiseOp, type FloatArray, type UnaryOp } from '../kernels/kernels.ts';
import type { CompareOp, ElementwiseParams, FamilyTable, Impl, Prim } from './primitives.ts';

function unary(op: UnaryOp): Impl<Prim> {
  return ([x]) => {
    const out = allocate(x!.dtype, x!.size);
    kernels().unary(op, x!.data, out);
    return new Tensor(out, x!.shape, x!.dtype);
  };
}

/**
 * Binary elementwise: equal shapes, or a short operand whose shape is the other's trailing
 * dimensions (a bias [n] against [batch, n]) or a single element (a scalar) — read in place,
 * rather than broadcast to a full array first: `x * 0.5` and `xW + b` are one pass, not two.
 * The output has the shape of the larger operand.
 */
function binary(op: ElementwiseOp, outDType?: DType, kernelOp?: BinaryOp): Impl<Prim> {
  return ([x, y]) => {
    const dtype = outDType ?? x!.dtype;
    const big = x!.size >= y!.size ? x! : y!;
    const out = allocate(dtype, big.size);
    // Float ops with a binary kernel: the backend's loop (it hands small arrays to the js loops itself).
    if (kernelOp && (dtype === 'float32' || dtype === 'float64')) kernels().binary(kernelOp, x!.data as FloatArray, y!.data as FloatArray, out as FloatArray);
    else kernels().elementwise(op, x!.data, y!.data, out);
    return new Tensor(out, big.shape, dtype);
  };
}

const compareImpls = Object.fromEntries(COMPARE_OPS.map((op) => [op, binary(op, 'bool')])) as Record<CompareOp, Impl<Prim>>;

export const elementwiseImpls: FamilyTable<ElementwiseParams, 'impl'> = {
  neg: unary('neg'),
  exp: unary('exp'),
  log: unary('log'),
  sin: unary('sin'),
  cos: unary('cos'),
  tanh: unary('tanh'),
  sigmoid: unary('sigmoid'),
  sqrt: unary('sqrt'),
  abs: unary('abs'),
  sign: unary('sign'),
  add: binary('add', undefined, 'add'),
  sub: binary('sub', undefined, 'sub'),
  mul: binary('mul', undefined, 'mul'),
  div: binary('div', undefined, 'div'),
  pow: binary('pow'),
  maximum: binary('maximum', undefined, 'maximum'),
  minimum: binary('minimum', undefined, 'minimum'),
  compare: (inputs, { op }) => compareImpls[op](inputs, {} as never),
  select: ([c, x, y]) => {
    const out = allocate(x!.dtype, x!.size);
    kernels().select(c!.data, x!.data, y!.data, out);
    return new Tensor(out, x!.shape, x!.dtype);
  },
  maskPositive: binary('maskPositive', undefined, 'maskPositive'),
  cast: ([x], { dtype }) => {
    if (dtype === 'int32' && (x!.dtype === 'float64' || x!.dtype === 'float32')) {
      const i = firstNotInt32(x!.data);
      if (i >= 0)
        throw new Error(
          `cast: value ${x!.data[i]} at flat index ${i} has no int32 value (NaN, ±Infinity and values outside [-2147483648, 2147483647] are refused rather than wrapped)`,
        );
    }
    const out = allocate(dtype, x!.size);
    kernels().cast(x!.data, out);
    return new Tensor(out, x!.shape, dtype);
  },
};
