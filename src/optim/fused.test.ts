/**
 * The fused optimizer loops (fused.ts) against the tensor-op path they replace: bit-identical
 * updates, states and parameters over several steps for float64 and float32, on data with tiny
 * and huge magnitudes, signed zeros and non-finite values; the fast path is really taken; and
 * traced inputs (grad / jvp through an update, meta-learning style) fall back to the op path.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor, scalar } from '../tensor/tensor.ts';
import { treeFlatten, type Tree } from '../tensor/tree.ts';
import { add as addT, mul, square, sum } from '../tensor/ops.ts';
import { grad, jvp } from '../tensor/transforms.ts';
import { setCheckFinite } from '../tensor/trace.ts';
import { encodeTree, decodeTree } from '../train/serialize.ts';
import type { GradientTransformation } from './transform.ts';
import { adam, adamw, applyUpdates, chain, momentum, nesterov, scale, scaleByAdam, scaleByLearningRate, schedules, sgd, traceMomentum } from './index.ts';
import { axpyLeaf, fusedCounts, scaleLeaf, setFusedUpdates } from './fused.ts';

type GT = GradientTransformation<any>;
type FloatDType = 'float32' | 'float64';

// ------------------------------------------------------------------------------------------
// Data: a seeded generator (mulberry32) mixing ordinary values with the awkward ones.

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface DataOpts {
  specials?: boolean;
  positive?: boolean;
}

/** Mostly |x| ~ 10^[-8, 8]; plus ±0, subnormal-range tiny values, huge values whose squares overflow, and (opt-in) ±Inf/NaN. */
function values(r: () => number, n: number, dtype: FloatDType, opts: DataOpts = {}): Float64Array | Float32Array {
  const out = dtype === 'float32' ? new Float32Array(n) : new Float64Array(n);
  const tiny = dtype === 'float32' ? 1e-42 : 1e-310;
  const small = dtype === 'float32' ? 1e-22 : 1e-160; // squares underflow
  const huge = dtype === 'float32' ? 1e20 : 1e160; // squares overflow
  for (let i = 0; i < n; i++) {
    const c = r();
    const sgn = opts.positive || r() < 0.5 ? 1 : -1;
    let x: number;
    if (c < 0.05) x = 0;
    else if (c < 0.1) x = opts.positive ? 0 : -0;
    else if (c < 0.15) x = sgn * tiny * (1 + 9 * r());
    else if (c < 0.2) x = sgn * small * (1 + 9 * r());
    else if (c < 0.25) x = sgn * huge * (1 + 9 * r());
    else if (opts.specials && c < 0.27) x = [Infinity, -Infinity, NaN][Math.floor(r() * 3)]!;
    else x = sgn * (0.5 + r()) * 10 ** (16 * r() - 8);
    out[i] = x;
  }
  return out;
}

const SHAPES: [string, number[]][] = [
  ['layers.0.w', [5, 7]],
  ['layers.0.b', [7]],
  ['layers.1.w', [7, 3]],
  ['layers.1.b', [3]],
  ['s', []],
  ['e', [0, 4]],
];

/** { layers: [{ w, b }, { w, b }], s: scalar, e: empty }; `dtypes` may differ per leaf. */
function makeTree(r: () => number, dtypes: FloatDType | FloatDType[], opts: DataOpts = {}): Tree {
  const leaf = (i: number): Tensor => {
    const [, shape] = SHAPES[i]!;
    const dtype = Array.isArray(dtypes) ? dtypes[i]! : dtypes;
    return new Tensor(
      values(
        r,
        shape.reduce((a, b) => a * b, 1),
        dtype,
        opts,
      ),
      shape,
      dtype,
    );
  };
  return {
    layers: [
      { w: leaf(0), b: leaf(1) },
      { w: leaf(2), b: leaf(3) },
    ],
    s: leaf(4),
    e: leaf(5),
  };
}

// ------------------------------------------------------------------------------------------
// Bit equality (Object.is: −0 ≠ +0, NaN = NaN) over trees, states and numbers.

function assertSame(a: unknown, b: unknown, where: string): void {
  if (a instanceof Tensor || b instanceof Tensor) {
    assert.ok(a instanceof Tensor && b instanceof Tensor, `${where}: tensor vs non-tensor`);
    assert.equal(a.dtype, b.dtype, `${where}: dtype`);
    assert.deepEqual(a.shape, b.shape, `${where}: shape`);
    assert.equal(a.data.constructor, b.data.constructor, `${where}: array type`);
    for (let i = 0; i < a.size; i++) {
      if (!Object.is(a.data[i], b.data[i]))
        assert.fail(`${where}[${i}]: ${Object.is(a.data[i], -0) ? '-0' : a.data[i]} vs ${Object.is(b.data[i], -0) ? '-0' : b.data[i]}`);
    }
    return;
  }
  if (typeof a === 'number' || typeof b === 'number') {
    assert.ok(Object.is(a, b), `${where}: ${String(a)} vs ${String(b)}`);
    return;
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    assert.ok(Array.isArray(a) && Array.isArray(b) && a.length === b.length, `${where}: arrays differ in length`);
    a.forEach((x, i) => assertSame(x, (b as unknown[])[i], `${where}[${i}]`));
    return;
  }
  if (a !== null && typeof a === 'object' && b !== null && typeof b === 'object') {
    assert.deepEqual(Object.keys(a), Object.keys(b), `${where}: keys`);
    for (const k of Object.keys(a)) assertSame((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${where}.${k}`);
    return;
  }
  assert.equal(a, b, where);
}

function withFused<T>(on: boolean, fn: () => T): T {
  const prev = setFusedUpdates(on);
  try {
    return fn();
  } finally {
    setFusedUpdates(prev);
  }
}

const totalCount = (): number => Object.values(fusedCounts).reduce((a, b) => a + b, 0);
const snapshot = (): Record<string, number> => ({ ...fusedCounts });

interface Trace {
  updates: Tree[];
  states: unknown[];
  params: Tree[];
}

/** `steps` optimizer steps from `params0` with fresh grads each step (same seed → same data). */
function run(
  make: () => GT,
  dtypes: FloatDType | FloatDType[],
  steps: number,
  opts: DataOpts & { seed: number; state?: (p: Tree, r: () => number) => unknown },
): Trace {
  const r = rng(opts.seed);
  const t = make();
  let params = makeTree(r, dtypes, opts);
  let state = opts.state ? opts.state(params, r) : t.init(params);
  const out: Trace = { updates: [], states: [], params: [] };
  for (let step = 0; step < steps; step++) {
    const g = makeTree(r, dtypes, opts);
    const [u, s] = t.update(g, state, { params, step });
    params = applyUpdates(params, u);
    state = s;
    out.updates.push(u);
    out.states.push(s);
    out.params.push(params);
  }
  return out;
}

function compareRuns(
  name: string,
  make: () => GT,
  dtypes: FloatDType | FloatDType[],
  opts: DataOpts & { seed: number; state?: (p: Tree, r: () => number) => unknown },
  expect: Partial<Record<keyof typeof fusedCounts, number>>,
): void {
  const steps = 5;
  const before = snapshot();
  const ref = withFused(false, () => run(make, dtypes, steps, opts));
  assert.deepEqual(snapshot(), before, `${name}: the op path must not touch the fused counters`);
  const fast = withFused(true, () => run(make, dtypes, steps, opts));
  const after = snapshot();
  for (const [k, n] of Object.entries(expect)) {
    assert.equal(after[k]! - before[k]!, n * steps, `${name}: fused '${k}' calls`);
  }
  for (let s = 0; s < steps; s++) {
    assertSame(fast.updates[s], ref.updates[s], `${name} step ${s} updates`);
    assertSame(fast.states[s], ref.states[s], `${name} step ${s} state`);
    assertSame(fast.params[s], ref.params[s], `${name} step ${s} params`);
    // The checkpoint format is unchanged: the encoded states are identical strings.
    assert.equal(JSON.stringify(encodeTree(fast.states[s])), JSON.stringify(encodeTree(ref.states[s])), `${name} step ${s}: encoded state`);
  }
}

// ------------------------------------------------------------------------------------------
// Bit equality, fused vs op path.

type Expect = Partial<Record<keyof typeof fusedCounts, number>>;
const CASES: { name: string; make: () => GT; expect: Expect }[] = [
  { name: 'adam', make: () => adam(1e-3), expect: { adam: 1, scale: 1, add: 1 } },
  {
    name: 'adam(b1 0, b2 .5, eps 0, L2 .01)',
    make: () => adam(0.1, { b1: 0, b2: 0.5, eps: 0, weightDecay: 0.01 }),
    expect: { adam: 1, axpy: 1, scale: 1, add: 1 },
  },
  { name: 'adam(b1 −0)', make: () => adam(0.1, { b1: -0 }), expect: { adam: 1 } },
  { name: 'adamw', make: () => adamw(1e-3), expect: { adam: 1, axpy: 1, scale: 1, add: 1 } },
  {
    name: 'adamw(wd .1, eps 1e-12, cosine)',
    make: () => adamw(schedules.cosine(3e-4, 4), { weightDecay: 0.1, eps: 1e-12 }),
    expect: { adam: 1, axpy: 1, scale: 1 },
  },
  { name: 'sgd', make: () => sgd(0.1), expect: { scale: 1, add: 1 } },
  { name: 'sgd(lr 0)', make: () => sgd(0), expect: { scale: 1 } }, // −0 as a scalar operand becomes +0
  { name: 'sgd(lr 1e-46)', make: () => sgd(1e-46), expect: { scale: 1 } }, // 0 in float32
  { name: 'sgd(wd)', make: () => sgd(0.05, { weightDecay: 1e-4 }), expect: { axpy: 1, scale: 1, add: 1 } },
  { name: 'sgd(warmup schedule)', make: () => sgd(schedules.warmup(3, schedules.constant(0.3))), expect: { scale: 1 } },
  { name: 'momentum', make: () => momentum(0.01, 0.9), expect: { trace: 1, scale: 1, add: 1 } },
  { name: 'momentum(mu 0)', make: () => momentum(0.1, 0), expect: { trace: 1 } },
  { name: 'nesterov', make: () => nesterov(0.01, 0.9), expect: { trace: 1, scale: 1, add: 1 } },
  { name: 'nesterov(mu .99)', make: () => nesterov(0.3, 0.99), expect: { trace: 1 } },
  { name: 'scale', make: () => scale(-0.5), expect: { scale: 1 } },
  { name: 'scale(1e-45)', make: () => scale(1e-45), expect: { scale: 1 } },
  { name: 'scaleByAdam + scale', make: () => chain(scaleByAdam(), scale(-1e-3)), expect: { adam: 1, scale: 1 } },
  { name: 'scaleByLearningRate', make: () => scaleByLearningRate(2), expect: { scale: 1 } },
];

for (const dtype of ['float64', 'float32'] as const) {
  for (const c of CASES) {
    test(`fused ${c.name} (${dtype}): bit-identical to the op path over 5 steps`, () => {
      compareRuns(c.name, c.make, dtype, { seed: 11 }, c.expect);
    });
  }
  test(`fused (${dtype}): ±Inf and NaN in params and grads give the op path's values`, () => {
    for (const c of CASES) compareRuns(c.name, c.make, dtype, { seed: 5, specials: true }, {});
  });
  test(`fused scaleByAdam (${dtype}): arbitrary restored states (negative v, huge/tiny m, late count)`, () => {
    const state = (_p: Tree, r: () => number): unknown => ({ count: 41, mu: makeTree(r, dtype), nu: makeTree(r, dtype) });
    compareRuns('scaleByAdam', () => scaleByAdam(), dtype, { seed: 3, state }, { adam: 1 });
    const positive = (_p: Tree, r: () => number): unknown => ({ count: 2, mu: makeTree(r, dtype), nu: makeTree(r, dtype, { positive: true }) });
    compareRuns('scaleByAdam', () => scaleByAdam({ b1: 0.5, b2: 0.75, eps: 1e-3 }), dtype, { seed: 4, state: positive }, { adam: 1 });
  });
  test(`fused traceMomentum (${dtype}): restored traces; the non-Nesterov output is the trace itself`, () => {
    const state = (_p: Tree, r: () => number): unknown => ({ trace: makeTree(r, dtype) });
    compareRuns('traceMomentum', () => traceMomentum(0.9), dtype, { seed: 8, state }, { trace: 1 });
    compareRuns('traceMomentum(nesterov)', () => traceMomentum(0.9, { nesterov: true }), dtype, { seed: 8, state }, { trace: 1 });
    const t = traceMomentum(0.5);
    const r = rng(1);
    const p = makeTree(r, dtype);
    const [u, s] = t.update(makeTree(r, dtype), t.init(p), { params: p, step: 0 });
    assert.equal(u, s.trace);
  });
}

test('fused kernels: scalar operands convert like ops.ts (±0, underflow, overflow, ±Inf, NaN)', () => {
  const scalars = [0, -0, 1e-46, -1e-46, 1e-45, 0.1, -0.1, 1 / 3, 3.4e38, 3.5e38, 1e39, 1e-310, Infinity, -Infinity, NaN];
  for (const dtype of ['float64', 'float32'] as const) {
    const x = new Tensor(values(rng(17), 64, dtype, { specials: true }), [64], dtype);
    const y = new Tensor(values(rng(18), 64, dtype, { specials: true }), [64], dtype);
    for (const s of scalars) {
      const name = `${dtype} scalar ${Object.is(s, -0) ? '-0' : s}`;
      assertSame(new Tensor(scaleLeaf(x.data as Float64Array, s), [64], dtype), mul(x, s), `${name}: x·s`);
      assertSame(new Tensor(axpyLeaf(y.data as Float64Array, x.data as Float64Array, s), [64], dtype), addT(y, mul(x, s)), `${name}: y + x·s`);
    }
  }
});

test('fused: a tree mixing float32 and float64 leaves is fused leaf by leaf, bit-identically', () => {
  const dtypes: FloatDType[] = ['float32', 'float64', 'float64', 'float32', 'float32', 'float64'];
  for (const c of CASES) compareRuns(c.name, c.make, dtypes, { seed: 21 }, { add: 1 });
});

test('fused: the state checkpoint round trip continues bit-identically', () => {
  for (const dtype of ['float64', 'float32'] as const) {
    const r = rng(2);
    let params = makeTree(r, dtype);
    const t = adamw(1e-2);
    let state: unknown = t.init(params);
    for (let step = 0; step < 3; step++) {
      const g = makeTree(r, dtype);
      const ctx = { params, step };
      const restored = decodeTree(JSON.parse(JSON.stringify(encodeTree(state))));
      const [ua, sa] = t.update(g, state as unknown[], ctx);
      const [ub, sb] = withFused(false, () => t.update(g, restored as unknown[], ctx));
      assertSame(ua, ub, `step ${step} updates`);
      assertSame(sa, sb, `step ${step} state`);
      params = applyUpdates(params, ua);
      state = sa;
    }
  }
});

// ------------------------------------------------------------------------------------------
// When the fast path must not (or cannot) be taken.

function sameOutcome(name: string, fn: () => unknown): void {
  const outcome = (on: boolean): { value?: unknown; error?: string } => {
    try {
      return { value: withFused(on, fn) };
    } catch (e) {
      return { error: e instanceof Error ? e.message : String(e) };
    }
  };
  const a = outcome(true);
  const b = outcome(false);
  assert.equal(a.error, b.error, `${name}: errors`);
  if (a.error === undefined) assertSame(a.value, b.value, name);
}

test("fused: mismatched dtypes, shapes, structures and int leaves fall back with the op path's results and errors", () => {
  const r = rng(9);
  const p64 = makeTree(r, 'float64');
  const g32 = makeTree(r, 'float32');
  const t = adam(1e-3);
  const before = snapshot();
  sameOutcome('dtype mismatch', () => t.update(g32, t.init(p64), { params: p64, step: 0 }));
  assert.equal(fusedCounts.adam, before['adam'], 'a dtype mismatch is not fused');
  sameOutcome('structure mismatch', () => applyUpdates(p64, { w: new Tensor(new Float64Array(2), [2]) }));
  sameOutcome('broadcast in applyUpdates', () =>
    applyUpdates({ w: new Tensor(Float64Array.from([1, 2, 3]), [1, 3]) }, { w: new Tensor(Float64Array.from([0.5, -0, 3]), [3]) }),
  );
  sameOutcome('dotted key vs nesting (same treeFlatten paths)', () =>
    applyUpdates({ 'a.b': new Tensor(Float64Array.from([1]), [1]) }, { a: { b: new Tensor(Float64Array.from([2]), [1]) } }),
  );
  sameOutcome('arrays of different lengths', () => applyUpdates([p64], [p64, p64]));
  sameOutcome('sparse array', () => applyUpdates([p64, , p64] as unknown as Tree, [p64, p64, p64]));
  sameOutcome('int32 leaves', () => applyUpdates({ n: new Tensor(Int32Array.from([1, 2]), [2]) }, { n: new Tensor(Int32Array.from([3, -4]), [2]) }));
  sameOutcome('non-tensor leaf', () => sgd(0.1).update({ w: 3 } as unknown as Tree, [{}, {}], { params: p64, step: 0 }));
  sameOutcome('wd without params', () => sgd(0.1, { weightDecay: 0.1 }).update(p64, [{}, {}], undefined as never));
  assert.equal(fusedCounts.add, before['add'], 'none of these applyUpdates is fused');
});

test('fused: tree shapes (keys in another order, a bare tensor, nested arrays) are rebuilt as treeMap does', () => {
  const r = rng(10);
  const leaf = (): Tensor => new Tensor(values(r, 4, 'float32'), [2, 2], 'float32');
  const cases: [string, Tree, Tree][] = [
    ['keys in another order', { z: leaf(), a: leaf(), m: { y: leaf(), b: leaf() } }, { m: { b: leaf(), y: leaf() }, a: leaf(), z: leaf() }],
    ['a bare tensor', leaf(), leaf()],
    ['nested arrays', [[leaf(), leaf()], [], { k: [leaf()] }], [[leaf(), leaf()], [], { k: [leaf()] }]],
    ['an empty tree', {}, {}],
  ];
  for (const [name, p, u] of cases) {
    const before = fusedCounts.add;
    sameOutcome(name, () => applyUpdates(p, u));
    assert.equal(fusedCounts.add - before, 1, `${name}: fused`);
  }
});

test('fused: with checkFinite on, the op path runs and raises its own error', () => {
  const g = { w: new Tensor(Float64Array.from([1, Infinity]), [2]) };
  const t = adam(1e-3);
  setCheckFinite(true);
  try {
    const before = totalCount();
    sameOutcome('checkFinite', () => t.update(g, t.init(g), { params: g, step: 0 }));
    assert.equal(totalCount(), before);
    assert.throws(() => t.update(g, t.init(g), { params: g, step: 0 }), /non-finite/);
  } finally {
    setCheckFinite(false);
  }
});

test('fused: grad through sgd + applyUpdates w.r.t. the grads falls back and gives −lr', () => {
  const r = rng(12);
  const params = makeTree(r, 'float64');
  const g0 = makeTree(r, 'float64');
  const t = sgd(0.25);
  const before = snapshot();
  const h = (g: Tree): Tensor => {
    const [u] = t.update(g, t.init(params), { params, step: 0 });
    return treeFlatten(applyUpdates(params, u)).leaves.reduce((acc, x) => addT(acc, sum(x)), scalar(0));
  };
  const dg = grad(h)(g0);
  assert.deepEqual(snapshot(), before, 'no fused update inside the trace');
  for (const leaf of treeFlatten(dg).leaves) for (const v of leaf.data) assert.equal(v, -0.25);
});

for (const dtype of ['float64', 'float32'] as const) {
  test(`fused (${dtype}): grad of a loss of adam-updated params w.r.t. the grads is unchanged (op path inside the trace)`, () => {
    const r = rng(13);
    const params = makeTree(r, dtype);
    const g0 = makeTree(r, dtype);
    const t = adam(0.1);
    // A state after two real steps, so m and v are non-zero.
    let state: unknown = t.init(params);
    for (let step = 0; step < 2; step++) state = t.update(makeTree(r, dtype), state as unknown[], { params, step })[1];
    const h = (g: Tree): Tensor => {
      const [u] = t.update(g, state as unknown[], { params, step: 2 });
      const leaves = treeFlatten(applyUpdates(params, u)).leaves;
      return leaves.slice(1).reduce((acc, x) => addT(acc, sum(square(mul(x, 1e-3)))), sum(square(mul(leaves[0]!, 1e-3))));
    };
    const before = snapshot();
    const fast = withFused(true, () => grad(h)(g0));
    assert.deepEqual(snapshot(), before, 'no fused update inside the trace');
    const ref = withFused(false, () => grad(h)(g0));
    assertSame(fast, ref, 'gradient');
  });
}

test('fused: meta-gradient w.r.t. params through adamw (adam fused on untraced grads, weight decay and applyUpdates traced)', () => {
  const r = rng(14);
  const params = makeTree(r, 'float64');
  const g = makeTree(r, 'float64');
  const t = adamw(0.1, { weightDecay: 0.5 });
  const h = (p: Tree): Tensor => {
    const [u] = t.update(g, t.init(p), { params: p, step: 0 });
    const leaves = treeFlatten(applyUpdates(p, u)).leaves;
    return leaves.slice(1).reduce((acc, x) => addT(acc, sum(square(mul(x, 1e-3)))), sum(square(mul(leaves[0]!, 1e-3))));
  };
  const before = snapshot();
  const fast = withFused(true, () => grad(h)(params));
  assert.equal(fusedCounts.adam - before['adam']!, 1, 'scaleByAdam sees untraced grads and state: fused');
  assert.equal(fusedCounts.axpy, before['axpy'], 'weight decay sees traced params: op path');
  assert.equal(fusedCounts.add, before['add'], 'applyUpdates sees traced params: op path');
  const ref = withFused(false, () => grad(h)(params));
  assertSame(fast, ref, 'meta-gradient');
});

test('fused: jvp through nesterov falls back; tangent (1 + μ)·t at step 0', () => {
  const r = rng(15);
  const params = makeTree(r, 'float64');
  const g = makeTree(r, 'float64');
  const tan = makeTree(r, 'float64');
  const t = traceMomentum(0.5, { nesterov: true });
  const f = (x: Tree): Tree => t.update(x, t.init(params), { params, step: 0 })[0];
  const before = totalCount();
  const fast = withFused(true, () => jvp(f, g, tan));
  assert.equal(totalCount(), before, 'no fused update under jvp');
  const ref = withFused(false, () => jvp(f, g, tan));
  assertSame(fast, ref, 'jvp');
  const tl = treeFlatten(tan).leaves;
  treeFlatten(fast.tangent).leaves.forEach((x, i) => x.data.forEach((v, j) => assert.ok(Object.is(v, tl[i]!.data[j]! + tl[i]!.data[j]! * 0.5))));
});

test('fused: inputs are never mutated', () => {
  for (const dtype of ['float64', 'float32'] as const) {
    const r = rng(16);
    const params = makeTree(r, dtype);
    const g = makeTree(r, dtype);
    const copy = (t: Tree): Tree => decodeTree(JSON.parse(JSON.stringify(encodeTree(t)))) as Tree;
    const p0 = copy(params);
    const g0 = copy(g);
    for (const make of [() => adamw(0.1), () => nesterov(0.1), () => sgd(0.1, { weightDecay: 0.1 })]) {
      const t = make();
      let state = t.init(params);
      for (let step = 0; step < 2; step++) {
        const s0 = JSON.stringify(encodeTree(state));
        const [u, s] = t.update(g, state, { params, step });
        applyUpdates(params, u);
        assert.equal(JSON.stringify(encodeTree(state)), s0, 'state unchanged');
        state = s;
      }
    }
    assertSame(params, p0, 'params');
    assertSame(g, g0, 'grads');
  }
});
