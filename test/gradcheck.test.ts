/**
 * Gradcheck over the rule tables: every primitive's VJP and JVP against central finite
 * differences (Richardson-extrapolated), and second order — HVP (forward-over-reverse) against
 * finite differences of gradients, grad-of-grad and jvp-of-jvp against HVP. The case table is
 * typed `{ [P in Prim]: … }`, so a new primitive does not compile until it has a case here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Tensor,
  tensor,
  grad,
  jvp,
  vjp,
  hvp,
  random,
  add,
  mul,
  sin,
  sum,
  reshape,
  cast,
  transpose,
  matmul,
  logSoftmax,
  softmax,
  softmaxCrossEntropy,
  mse,
  relu,
  gelu,
  logsumexp,
  leakyRelu,
  softplus,
  conv2d,
  maxPool2d,
  avgPool2d,
  mean,
  variance,
  min,
  div,
  sub,
  abs,
  linalg,
  stack,
  where,
  greater,
  eye,
  sqrt,
} from '../src/index.ts';
import { bind } from '../src/tensor/trace.ts';
import { jvpRules, vjpRules } from '../src/tensor/rules.ts';
import type { Prim } from '../src/tensor/primitives.ts';
import { patchGeometry } from '../src/kernels/kernels.ts';

type Gen = (k: random.Key) => Tensor;
interface Case {
  name: string;
  inputs: Gen[];
  /** Indices of the inputs to differentiate (the rest are held fixed). */
  diff: number[];
  f: (...xs: Tensor[]) => Tensor;
  /** Skip second-order checks. */
  firstOrderOnly?: boolean;
  /** Tolerance override, for cases whose forward pass rounds to float32. */
  rtol?: number;
}

// ---- input generators: float64, away from kinks and singularities ----
const normal =
  (...shape: number[]): Gen =>
  (k) =>
    random.normal(k, shape);
const positive =
  (...shape: number[]): Gen =>
  (k) =>
    add(random.uniform(k, shape), 0.5);
/** Values with gaps of at least 0.05 between any two (no ties for max/abs/maximum). */
const distinct =
  (...shape: number[]): Gen =>
  (k) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const perm = random.permutation(k, n).data;
    return tensor(
      Float64Array.from(perm, (p) => (p - n / 2 + 0.5) * 0.1 + 0.013),
      { shape },
    );
  };
const bools =
  (...shape: number[]): Gen =>
  (k) =>
    random.bernoulli(k, 0.5, shape);
const ints =
  (high: number, ...shape: number[]): Gen =>
  (k) =>
    random.randint(k, 0, high, shape);
const spd =
  (n: number): Gen =>
  (k) => {
    const a = random.normal(k, [n, n]);
    return add(matmul(a, a, { transB: true }), mul(identity(n), n));
  };
const symmetricDistinct =
  (n: number): Gen =>
  (k) => {
    const [k1, k2] = random.split(k);
    const q = linalg.qr(random.normal(k1!, [n, n])).Q;
    const lam = Float64Array.from({ length: n }, (_, i) => i * 1.3 - 2 + 0.1 * random.uniform(k2!, [n]).data[i]!);
    return matmul(mul(q, tensor(lam, { shape: [1, n] })), q, { transB: true });
  };
/** Q₁·diag(s)·Q₂ᵀ with singular values 1, 2, … (+ noise): gaps large enough for finite differences. */
const separatedSingularValues =
  (n: number): Gen =>
  (k) => {
    const [k1, k2, k3] = random.split(k, 3);
    const q1 = linalg.qr(random.normal(k1!, [n, n])).Q;
    const q2 = linalg.qr(random.normal(k2!, [n, n])).Q;
    const sv = Float64Array.from({ length: n }, (_, i) => i + 1 + 0.1 * random.uniform(k3!, [n]).data[i]!);
    return matmul(mul(q1, tensor(sv, { shape: [1, n] })), q2, { transB: true });
  };
const triangular =
  (n: number, lower: boolean): Gen =>
  (k) => {
    const a = random.normal(k, [n, n]).data.slice();
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) if (lower ? j > i : j < i) a[i * n + j] = 0;
      a[i * n + i] = 2 + Math.abs(a[i * n + i]!);
    }
    return tensor(a, { shape: [n, n] });
  };
const identity = (n: number): Tensor => eye(n);
const g = patchGeometry(2, 3, 5, 6, 3, 2, 2, 1, 1, 0, 1, 2);

const unary = (p: Prim, gen: Gen = normal(3, 4)): Case[] => [{ name: p, inputs: [gen], diff: [0], f: (x) => bind(p, [x], {} as never) }];
const binary = (p: Prim, ga: Gen = normal(2, 3), gb: Gen = normal(2, 3)): Case[] => [
  { name: p, inputs: [ga, gb], diff: [0, 1], f: (a, b) => bind(p, [a, b], {} as never) },
];

/** A binary primitive with a one-element operand on the right and on the left (read as a scalar). */
const scalarOperand = (p: Prim, ga: Gen = normal(2, 3), gs: Gen = normal()): Case => ({
  name: `${p} (scalar operand)`,
  inputs: [ga, gs],
  diff: [0, 1],
  f: (a, s) => add(bind(p, [a, s], {} as never), mul(bind(p, [s, a], {} as never), 0.7)),
});

/** A binary primitive with a trailing-dimensions operand (a bias) on the right and on the left. */
const suffixOperand = (p: Prim, ga: Gen = normal(2, 3), gs: Gen = normal(3)): Case => ({
  name: `${p} (trailing-dims operand)`,
  inputs: [ga, gs],
  diff: [0, 1],
  f: (a, s) => add(bind(p, [a, s], {} as never), mul(bind(p, [s, a], {} as never), 0.7)),
});

const cases: { [P in Prim]: Case[] } = {
  neg: unary('neg'),
  exp: unary('exp'),
  log: unary('log', positive(3, 4)),
  sin: unary('sin'),
  cos: unary('cos'),
  tanh: unary('tanh'),
  sigmoid: unary('sigmoid'),
  sqrt: unary('sqrt', positive(3, 4)),
  abs: unary('abs', distinct(3, 4)),
  sign: [{ name: 'sign', inputs: [distinct(3, 4)], diff: [0], f: (x) => mul(bind('sign', [x], {}), x) }],
  add: [
    ...binary('add'),
    scalarOperand('add'),
    suffixOperand('add', normal(2, 2, 3), normal(2, 3)),
    { name: 'add (broadcast)', inputs: [normal(2, 1, 3), normal(4, 1)], diff: [0, 1], f: add },
  ],
  sub: [
    ...binary('sub'),
    scalarOperand('sub', normal(2, 3), normal(1, 1)),
    { name: 'sub (broadcast scalar)', inputs: [normal(3), normal()], diff: [0, 1], f: sub },
  ],
  mul: [...binary('mul'), scalarOperand('mul'), suffixOperand('mul'), { name: 'mul (broadcast)', inputs: [normal(3, 1), normal(1, 4)], diff: [0, 1], f: mul }],
  div: [
    ...binary('div', normal(2, 3), positive(2, 3)),
    scalarOperand('div', positive(2, 3), positive()),
    suffixOperand('div', positive(2, 3), positive(3)),
    { name: 'div (broadcast)', inputs: [normal(2, 3), positive(3)], diff: [0, 1], f: div },
  ],
  pow: [...binary('pow', positive(2, 3), normal(2, 3)), scalarOperand('pow', positive(2, 3), positive())],
  maximum: [...binary('maximum', distinct(2, 3), (k) => add(distinct(2, 3)(k), 0.021)), scalarOperand('maximum', distinct(2, 3), () => tensor(0.0371))],
  minimum: binary('minimum', distinct(2, 3), (k) => add(distinct(2, 3)(k), 0.021)),
  compare: [
    {
      name: 'compare',
      inputs: [distinct(2, 3), (k) => add(distinct(2, 3)(k), 0.021)],
      diff: [0, 1],
      f: (a, b) => mul(cast(bind('compare', [a, b], { op: 'lt' }), 'float64'), mul(a, b)),
    },
  ],
  select: [{ name: 'select', inputs: [bools(3, 4), normal(3, 4), normal(3, 4)], diff: [1, 2], f: (c, a, b) => bind('select', [c, a, b], {}) }],
  maskPositive: [
    { name: 'maskPositive', inputs: [distinct(2, 3), normal(2, 3)], diff: [0, 1], f: (x, y) => bind('maskPositive', [x, y], {}) },
    { name: 'maskPositive (relu: same operand twice)', inputs: [distinct(3, 4)], diff: [0], f: (x) => mul(bind('maskPositive', [x, x], {}), x) },
  ],
  softmaxCrossEntropy: [{ name: 'softmaxCrossEntropy', inputs: [normal(4, 5), ints(5, 4)], diff: [0], f: (x, y) => bind('softmaxCrossEntropy', [x, y], {}) }],
  softmaxCrossEntropyGrad: [
    { name: 'softmaxCrossEntropyGrad', inputs: [normal(3, 4), ints(4, 3)], diff: [0], f: (x, y) => bind('softmaxCrossEntropyGrad', [x, y], {}) },
  ],
  cast: [
    {
      name: 'cast float64→float32→float64',
      inputs: [(k) => tensor(random.randint(k, -8, 8, [3]).data, { dtype: 'float64' })],
      diff: [0],
      f: (x) => cast(cast(x, 'float32'), 'float64'),
      firstOrderOnly: true,
      rtol: 1e-3,
    },
  ],
  sum: [
    { name: 'sum axes [0,2]', inputs: [normal(2, 3, 4)], diff: [0], f: (x) => bind('sum', [x], { axes: [0, 2] }) },
    { name: 'sum all', inputs: [normal(3, 2)], diff: [0], f: (x) => sum(x) },
  ],
  max: [
    { name: 'max axis 1', inputs: [distinct(3, 4)], diff: [0], f: (x) => bind('max', [x], { axes: [1] }) },
    { name: 'min axes [0,1]', inputs: [distinct(2, 3, 2)], diff: [0], f: (x) => min(x, [0, 1]) },
  ],
  argmax: [{ name: 'argmax', inputs: [distinct(3, 4)], diff: [0], f: (x) => mul(x, cast(reshape(bind('argmax', [x], { axis: 1 }), [3, 1]), 'float64')) }],
  reshape: [{ name: 'reshape', inputs: [normal(2, 6)], diff: [0], f: (x) => reshape(x, [3, 2, 2]) }],
  broadcastTo: [{ name: 'broadcastTo', inputs: [normal(3, 1)], diff: [0], f: (x) => bind('broadcastTo', [x], { shape: [2, 3, 4] }) }],
  transpose: [{ name: 'transpose', inputs: [normal(2, 3, 4)], diff: [0], f: (x) => transpose(x, [2, 0, 1]) }],
  slice: [{ name: 'slice', inputs: [normal(4, 5)], diff: [0], f: (x) => bind('slice', [x], { starts: [1, 0], ends: [3, 4] }) }],
  pad: [{ name: 'pad', inputs: [normal(2, 3)], diff: [0], f: (x) => bind('pad', [x], { before: [1, 0], after: [0, 2] }) }],
  concat: [{ name: 'concat', inputs: [normal(2, 3), normal(2, 2)], diff: [0, 1], f: (a, b) => bind('concat', [a, b], { axis: 1 }) }],
  gather: [{ name: 'gather', inputs: [normal(3, 4), ints(4, 2, 3)], diff: [0], f: (x, i) => bind('gather', [x, i], { axis: 1 }) }],
  scatterAdd: [{ name: 'scatterAdd', inputs: [normal(3, 5), ints(4, 5)], diff: [0], f: (u, i) => bind('scatterAdd', [u, i], { axis: 1, shape: [3, 4] }) }],
  matmul: [
    { name: 'matmul', inputs: [normal(3, 4), normal(4, 2)], diff: [0, 1], f: (a, b) => matmul(a, b) },
    { name: 'matmul Aᵀ·Bᵀ', inputs: [normal(4, 3), normal(2, 4)], diff: [0, 1], f: (a, b) => matmul(a, b, { transA: true, transB: true }) },
    { name: 'matmul batched × matrix', inputs: [normal(2, 3, 4), normal(4, 2)], diff: [0, 1], f: (a, b) => matmul(a, b) },
    { name: 'matmul matrixᵀ × batchedᵀ', inputs: [normal(4, 3), normal(2, 5, 4)], diff: [0, 1], f: (a, b) => matmul(a, b, { transA: true, transB: true }) },
    { name: 'matmul broadcast batch', inputs: [normal(2, 1, 3, 4), normal(3, 4, 2)], diff: [0, 1], f: (a, b) => matmul(a, b) },
    { name: 'matmul vector', inputs: [normal(4), normal(4, 3)], diff: [0, 1], f: (a, b) => matmul(a, b) },
  ],
  im2col: [{ name: 'im2col', inputs: [normal(2, 3, 5, 6)], diff: [0], f: (x) => bind('im2col', [x], { g, padValue: 0 }) }],
  col2im: [{ name: 'col2im', inputs: [normal(2, 3 * 3 * 2, g.oh * g.ow)], diff: [0], f: (c) => bind('col2im', [c], { g }) }],
  qr: [
    { name: 'qr (packed, tall)', inputs: [normal(5, 3)], diff: [0], f: (a) => bind('qr', [a], {}) },
    {
      name: 'qr (square) via linalg.qr',
      inputs: [normal(3, 3)],
      diff: [0],
      f: (a) => {
        const { Q, R } = linalg.qr(a);
        return add(Q, mul(R, 0.5));
      },
    },
  ],
  eigh: [
    { name: 'eigh (packed)', inputs: [symmetricDistinct(4)], diff: [0], f: (a) => bind('eigh', [a], {}) },
    {
      name: 'eigh values of a non-symmetric input',
      inputs: [normal(3, 3)],
      diff: [0],
      f: (a) =>
        linalg.eigh(
          add(
            a,
            mul(
              identity(3),
              tensor([
                [0, 0, 0],
                [0, 3, 0],
                [0, 0, 6],
              ]),
            ),
          ),
        ).values,
    },
  ],
  svd: [
    { name: 'svd (packed, tall)', inputs: [normal(5, 3)], diff: [0], f: (a) => bind('svd', [a], {}) },
    { name: 'svd (packed, wide)', inputs: [normal(3, 5)], diff: [0], f: (a) => bind('svd', [a], {}) },
    { name: 'svd (packed, square)', inputs: [separatedSingularValues(4)], diff: [0], f: (a) => bind('svd', [a], {}) },
    // Sign-invariant: U·diag(√S)·Vᵀ does not depend on the sign convention.
    {
      name: 'svd U·diag(√S)·Vᵀ via linalg.svd',
      inputs: [normal(4, 3)],
      diff: [0],
      f: (a) => {
        const { U, S, V } = linalg.svd(a);
        return matmul(mul(U, reshape(sqrt(S), [1, 3])), V, { transB: true });
      },
    },
  ],
  cholesky: [{ name: 'cholesky', inputs: [spd(4)], diff: [0], f: (a) => linalg.cholesky(a) }],
  solveTriangular: [
    { name: 'solveTriangular lower', inputs: [triangular(4, true), normal(4, 2)], diff: [0, 1], f: (t, b) => linalg.solveTriangular(t, b, { lower: true }) },
    {
      name: 'solveTriangular upper, transposed',
      inputs: [triangular(3, false), normal(3, 2)],
      diff: [0, 1],
      f: (t, b) => linalg.solveTriangular(t, b, { lower: false, transpose: true }),
    },
    { name: 'solveTriangular vector rhs', inputs: [triangular(3, true), normal(3)], diff: [0, 1], f: (t, b) => linalg.solveTriangular(t, b) },
  ],
};

/** Composed ops: covered by the same checks (they only use primitives). */
const composed: Case[] = [
  { name: 'softmax', inputs: [normal(3, 5)], diff: [0], f: (x) => softmax(x) },
  { name: 'logSoftmax', inputs: [normal(3, 5)], diff: [0], f: (x) => logSoftmax(x, 0) },
  { name: 'logsumexp', inputs: [normal(3, 5)], diff: [0], f: (x) => logsumexp(x) },
  { name: 'softmaxCrossEntropy', inputs: [normal(4, 3), ints(3, 4)], diff: [0], f: softmaxCrossEntropy },
  { name: 'mse', inputs: [normal(3, 2), normal(3, 2)], diff: [0, 1], f: mse },
  { name: 'relu', inputs: [distinct(3, 4)], diff: [0], f: relu },
  { name: 'leakyRelu', inputs: [distinct(3, 4)], diff: [0], f: (x) => leakyRelu(x, 0.1) },
  { name: 'softplus', inputs: [normal(3, 4)], diff: [0], f: softplus },
  { name: 'gelu', inputs: [normal(3, 4)], diff: [0], f: gelu },
  { name: 'mean/variance', inputs: [normal(3, 4)], diff: [0], f: (x) => add(mean(x, 1), variance(x, 1)) },
  {
    name: 'conv2d stride 2 pad 1 dilation 2',
    inputs: [normal(2, 3, 6, 7), normal(4, 3, 2, 3)],
    diff: [0, 1],
    f: (x, w) => conv2d(x, w, { stride: 2, padding: 1, dilation: [2, 1] }),
  },
  { name: 'maxPool2d', inputs: [distinct(1, 2, 4, 5)], diff: [0], f: (x) => maxPool2d(x, 2, { padding: [0, 1] }) },
  { name: 'avgPool2d', inputs: [normal(2, 2, 4, 4)], diff: [0], f: (x) => avgPool2d(x, [2, 2], { stride: 1, padding: 1 }) },
  { name: 'abs · where', inputs: [distinct(2, 3), normal(2, 3)], diff: [0, 1], f: (a, b) => where(greater(a, 0), abs(b), mul(a, b)) },
  { name: 'stack', inputs: [normal(2, 3), normal(2, 3)], diff: [0, 1], f: (a, b) => stack([a, b], 1) },
];

// ---- the checks ----
const RTOL = 1e-6;
const dot = (a: Tensor, b: Tensor): number => {
  let s = 0;
  for (let i = 0; i < a.size; i++) s += Number(a.data[i]) * Number(b.data[i]);
  return s;
};
const shift = (xs: Tensor[], diff: number[], dirs: Tensor[], h: number): Tensor[] =>
  xs.map((x, i) =>
    diff.includes(i)
      ? tensor(
          Float64Array.from(x.data, (v, j) => v + h * dirs[diff.indexOf(i)]!.data[j]!),
          { shape: x.shape },
        )
      : x,
  );

/** Central difference along `dirs`, Richardson-extrapolated (error O(h⁴)). */
function fd(fn: (xs: Tensor[]) => Float64Array, xs: Tensor[], diff: number[], dirs: Tensor[], h = 1e-3): Float64Array {
  const central = (s: number): Float64Array => {
    const p = fn(shift(xs, diff, dirs, s));
    const m = fn(shift(xs, diff, dirs, -s));
    return p.map((v, i) => (v - m[i]!) / (2 * s));
  };
  const d1 = central(h);
  const d2 = central(h / 2);
  return d2.map((v, i) => (4 * v - d1[i]!) / 3);
}

function close(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string, rtol = RTOL): void {
  let scale = 0;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]!));
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(actual[i]! - expected[i]!);
    assert.ok(err <= rtol * Math.max(Math.abs(expected[i]!), scale, 1e-3), `${what}: index ${i}: ${actual[i]} vs ${expected[i]} (err ${err.toExponential(2)})`);
  }
}

function runCase(c: Case, seed: number): void {
  const k = random.key(seed);
  const keys = random.split(k, c.inputs.length + 4);
  const xs = c.inputs.map((gen, i) => gen(keys[i]!));
  const diffXs = () => c.diff.map((i) => xs[i]!);
  const call = (ds: Tensor[]): Tensor => c.f(...xs.map((x, i) => (c.diff.includes(i) ? ds[c.diff.indexOf(i)]! : x)));
  const y = call(diffXs());
  const u = random.normal(keys[c.inputs.length]!, y.shape);
  const dirs = c.diff.map((i, j) => random.normal(random.foldIn(keys[c.inputs.length + 1]!, j), xs[i]!.shape));
  const value = (ds: Tensor[]) => Float64Array.from(call(ds).data);
  const fdOut = fd((all) => value(c.diff.map((i) => all[i]!)), xs, c.diff, dirs);

  // JVP: the tangent of every output element along dirs.
  const { tangent } = jvp(call, diffXs(), dirs);
  close(tangent.data as Float64Array, fdOut, `${c.name}: JVP vs finite differences`, c.rtol);

  // VJP: ⟨uᵀJ, dirs⟩ against ⟨u, FD⟩.
  const cts = vjp(call, diffXs()).pullback(u);
  const lhs = cts.reduce((s, ct, j) => s + dot(ct, dirs[j]!), 0);
  close([lhs], [dot(u, tensor(fdOut, { shape: y.shape }))], `${c.name}: VJP vs finite differences`, c.rtol);
  if (c.firstOrderOnly) return;

  // Second order on s(x) = Σ u·sin(f(x)), non-linear even when f is linear.
  const s = (ds: Tensor[]): Tensor => sum(mul(u, sin(call(ds))));
  const hv = hvp(s, diffXs(), dirs);
  const flatGrad = (ds: Tensor[]) => Float64Array.from(grad(s)(ds).flatMap((t) => [...t.data]));
  const fdHv = fd((all) => flatGrad(c.diff.map((i) => all[i]!)), xs, c.diff, dirs);
  close(Float64Array.from(hv.flatMap((t) => [...t.data])), fdHv, `${c.name}: HVP vs finite differences of gradients`);

  // grad of ⟨∇s, v⟩ (reverse over reverse) must equal H·v.
  const gg = grad((ds: Tensor[]) => grad(s)(ds).reduce((acc, gi, j) => add(acc, sum(mul(gi, dirs[j]!))), tensor(0)))(diffXs());
  close(Float64Array.from(gg.flatMap((t) => [...t.data])), Float64Array.from(hv.flatMap((t) => [...t.data])), `${c.name}: grad-of-grad vs HVP`, 1e-9);

  // jvp of jvp: vᵀHv.
  const second = jvp((ds: Tensor[]) => jvp(s, ds, dirs).tangent, diffXs(), dirs).tangent.item();
  close([second], [hv.reduce((acc, t, j) => acc + dot(t, dirs[j]!), 0)], `${c.name}: jvp-of-jvp vs vᵀHv`, 1e-9);
}

test('every primitive has VJP and JVP rules and gradcheck cases', () => {
  const prims = Object.keys(vjpRules).sort();
  assert.deepEqual(Object.keys(jvpRules).sort(), prims);
  assert.deepEqual(Object.keys(cases).sort(), prims);
  for (const p of prims) assert.ok(cases[p as Prim].length > 0, `no gradcheck case for ${p}`);
});

for (const [prim, list] of Object.entries(cases) as [Prim, Case[]][]) {
  for (const [i, c] of list.entries()) {
    test(`gradcheck primitive ${prim}: ${c.name}`, () => {
      runCase(c, 1000 + i);
      runCase(c, 2000 + i);
    });
  }
}
for (const [i, c] of composed.entries()) test(`gradcheck composed: ${c.name}`, () => runCase(c, 3000 + i));
