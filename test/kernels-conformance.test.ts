/**
 * Kernel conformance: every kernel of every available backend against the js reference — odd
 * shapes, every transpose, batch strides (broadcast 0 and padded), sizes 0 and 1, f32 and f64.
 * The wasm module and the native addon are also tested raw (no small-product delegation to js),
 * so their own code runs at every size.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { canonicalSvdSigns, patchGeometry, type FloatArray, type GemmArgs, type Kernels, type PatchGeometry } from '../src/kernels/kernels.ts';
import { jsKernels } from '../src/kernels/js.ts';
import { loadWasmKernels } from '../src/kernels/wasm.ts';
import { loadNativeKernels } from '../src/kernels/native.ts';
import { availableBackends, backendInfo, kernels, setBackend } from '../src/kernels/backend.ts';
import { lcg, randomArray, runGemm } from './support/test-data.ts';
import { NODE_FLAGS } from './support/node-flags.ts';

type DType = 'float32' | 'float64';

function backendsUnderTest(): Array<[string, Kernels]> {
  const list: Array<[string, Kernels]> = [];
  const before = kernels().name;
  for (const name of availableBackends()) {
    setBackend(name);
    list.push([name, kernels()]);
  }
  setBackend(before);
  if (availableBackends().includes('wasm')) list.push(['wasm (raw)', loadWasmKernels(undefined, { raw: true })]);
  if (availableBackends().includes('native')) list.push(['native (raw)', loadNativeKernels({ raw: true })]);
  return list;
}

const BACKENDS = backendsUnderTest();

/** The default when nothing is forced: native when its addon loaded, else wasm. */
const DEFAULT = availableBackends().includes('native') ? 'native' : 'wasm';

test('wasm is always available; the default is native when built, else wasm', () => {
  const names = availableBackends();
  assert.ok(names.includes('js'));
  assert.ok(names.includes('wasm'), `wasm backend did not load: ${backendInfo().wasmError ?? '?'}`);
  const forced = process.env['TRAINSCOPE_BACKEND'];
  assert.equal(kernels().name, forced && names.includes(forced) ? forced : DEFAULT);
  const info = backendInfo();
  assert.equal(info.name, kernels().name);
  assert.equal(info.simd, info.name !== 'js');
  assert.equal(info.threads >= 1, true);
  if (!names.includes('native')) assert.match(info.nativeError ?? '', /not built|unavailable|load/);
});

test('TRAINSCOPE_BACKEND forces a backend; an unknown name is an error, not a silent fallback', () => {
  const probe = "import('./src/kernels/backend.ts').then((m) => console.log(JSON.stringify(m.backendInfo())))";
  const bad = spawnSync(process.execPath, [...NODE_FLAGS, '--import', 'tsx', '-e', probe], {
    env: { ...process.env, TRAINSCOPE_BACKEND: 'nope' },
    encoding: 'utf8',
  });
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /TRAINSCOPE_BACKEND=nope is not a kernel backend \(use js, wasm, native/);
  const forcings: Array<[string, string]> = [
    ['js', 'js'],
    ['wasm', 'wasm'],
  ];
  if (DEFAULT === 'native') forcings.push(['native', 'native']);
  for (const [env, want] of forcings) {
    const r = spawnSync(process.execPath, [...NODE_FLAGS, '--import', 'tsx', '-e', probe], {
      env: { ...process.env, TRAINSCOPE_BACKEND: env },
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout.trim()).name, want, `TRAINSCOPE_BACKEND=${env}`);
    assert.equal(r.stderr, '');
  }
});

test('a module that is not a kernels.wasm is refused with a clear error', () => {
  assert.throws(() => loadWasmKernels(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0])), /lacks export 'memory'/);
  assert.throws(() => loadWasmKernels(new Uint8Array([1, 2, 3])));
});

/** [m, n, k]: empty, unit, odd, and sizes crossing every blocking boundary (KC 256, MC 64/128, NC 1024/2048). */
const SHAPES: Array<[number, number, number]> = [
  [0, 3, 4],
  [3, 0, 4],
  [3, 4, 0],
  [1, 1, 1],
  [1, 7, 1],
  [7, 1, 9],
  [1, 1, 300],
  [2, 3, 2],
  [5, 3, 2],
  [13, 11, 37],
  [4, 8, 256],
  [17, 9, 257],
  [65, 33, 300],
  [129, 70, 513],
  [3, 1030, 5],
  [2, 2050, 3],
];

/**
 * got vs the js reference: the backends may sum in another order and, for f32, in f32 rather
 * than double, so the error bound scales with k (inputs lie in [-1, 1)).
 */
function assertClose(got: FloatArray, want: FloatArray, k: number, dtype: DType, label: string): void {
  assert.equal(got.length, want.length, `${label}: length`);
  const tol = (dtype === 'float32' ? 4e-7 : 1e-15) * Math.max(1, k);
  for (let i = 0; i < want.length; i++) {
    const err = Math.abs(got[i]! - want[i]!);
    if (!(err <= tol)) assert.fail(`${label}: C[${i}] = ${got[i]}, js gives ${want[i]} (|err| ${err} > ${tol})`);
  }
}

function gemmCases(): Array<{ label: string; args: GemmArgs }> {
  const cases: Array<{ label: string; args: GemmArgs }> = [];
  for (const [m, n, k] of SHAPES) {
    for (let t = 0; t < 4; t++) {
      const transA = (t & 1) === 1;
      const transB = (t & 2) === 2;
      const base = { m, n, k, transA, transB };
      cases.push({ label: `${m}×${n}×${k} tA=${transA} tB=${transB}`, args: { ...base, batch: 1, aBatchStride: 0, bBatchStride: 0 } });
      if (m * n * k > 200_000) continue; // batches of the largest shapes add time, not coverage
      const strides: Array<[string, number, number, number]> = [
        ['batch 3', 3, m * k, k * n],
        ['batch 3, A broadcast', 3, 0, k * n],
        ['batch 3, B broadcast', 3, m * k, 0],
        ['batch 2, both broadcast', 2, 0, 0],
        ['batch 3, padded strides', 3, m * k + 5, k * n + 3],
        ['batch 0', 0, m * k, k * n],
      ];
      for (const [name, batch, aBatchStride, bBatchStride] of strides) {
        cases.push({ label: `${m}×${n}×${k} tA=${transA} tB=${transB} ${name}`, args: { ...base, batch, aBatchStride, bBatchStride } });
      }
    }
  }
  return cases;
}

for (const dtype of ['float32', 'float64'] as const) {
  test(`gemm ${dtype}: every backend matches js (shapes, transposes, batch strides)`, () => {
    let seed = 1;
    for (const { label, args } of gemmCases()) {
      const rand = lcg(seed++);
      const aSize = Math.max(1, args.batch) * Math.max(args.aBatchStride, args.m * args.k) + 2;
      const bSize = Math.max(1, args.batch) * Math.max(args.bBatchStride, args.k * args.n) + 2;
      const a = randomArray(dtype, aSize, rand);
      const b = randomArray(dtype, bSize, rand);
      const aCopy = a.slice();
      const bCopy = b.slice();
      const want = runGemm(jsKernels, a, b, dtype, args);
      for (const [name, kern] of BACKENDS) {
        const got = runGemm(kern, a, b, dtype, args);
        assertClose(got, want, args.k, dtype, `${name} ${dtype} ${label}`);
        assert.deepEqual(a, aCopy, `${name} ${label}: A modified`);
        assert.deepEqual(b, bCopy, `${name} ${label}: B modified`);
        // Deterministic: the same call gives the same bits.
        assert.deepEqual(runGemm(kern, a, b, dtype, args), got, `${name} ${label}: not deterministic`);
      }
    }
  });
}

test('gemm: exactly representable products agree bit for bit across backends', () => {
  // Multiples of 1/8 in [-2, 2) and k ≤ 300: every partial sum is exact in f32 and f64.
  for (const dtype of ['float32', 'float64'] as const) {
    const rand = lcg(77);
    const q = (): number => Math.floor((rand() + 1) * 16) / 8 - 2;
    for (const [m, n, k] of [
      [9, 10, 11],
      [33, 17, 300],
      [70, 129, 64],
    ] as const) {
      const a = randomArray(dtype, m * k, q);
      const b = randomArray(dtype, k * n, q);
      const args: GemmArgs = { batch: 1, m, n, k, transA: false, transB: true, aBatchStride: 0, bBatchStride: 0 };
      const want = runGemm(jsKernels, a, b, dtype, args);
      for (const [name, kern] of BACKENDS) assert.deepEqual(runGemm(kern, a, b, dtype, args), want, `${name} ${dtype} ${m}×${n}×${k}`);
    }
  }
});

test('wasm: the unpacked small-product path and the packed path sum alike (bit-identical C)', () => {
  // op(B) = B (row-major) takes the unpacked path when narrow or small; B given transposed
  // always takes the packed one. Same values, so the same bits, including past KC = 256.
  const wasmRaw = BACKENDS.find(([name]) => name === 'wasm (raw)')?.[1];
  assert.ok(wasmRaw, 'wasm did not load');
  for (const dtype of ['float32', 'float64'] as const) {
    for (const [m, n, k, transA] of [
      [8, 20, 256, false],
      [7, 10, 600, false],
      [256, 20, 8, true],
      [3, 5, 1, false],
      [33, 31, 40, true],
    ] as const) {
      const rand = lcg(m * 1000 + n * 10 + k);
      const a = randomArray(dtype, m * k, rand);
      const b = randomArray(dtype, k * n, rand);
      const bt = dtype === 'float32' ? new Float32Array(k * n) : new Float64Array(k * n);
      for (let p = 0; p < k; p++) for (let j = 0; j < n; j++) bt[j * k + p] = b[p * n + j]!;
      const base = { batch: 1, m, n, k, transA, aBatchStride: 0, bBatchStride: 0 };
      const direct = runGemm(wasmRaw, a, b, dtype, { ...base, transB: false });
      const packed = runGemm(wasmRaw, a, bt, dtype, { ...base, transB: true });
      assert.deepEqual(direct, packed, `${dtype} ${m}×${n}×${k} transA=${transA}`);
    }
  }
});

test('gemm: scratch memory grows for a large product and is reused after', () => {
  for (const [name, kern] of BACKENDS) {
    for (const [m, n, k] of [
      [300, 200, 700],
      [5, 6, 7],
      [300, 200, 700],
    ] as const) {
      const rand = lcg(m + n + k);
      const a = randomArray('float64', m * k, rand);
      const b = randomArray('float64', k * n, rand);
      const args: GemmArgs = { batch: 1, m, n, k, transA: false, transB: false, aBatchStride: 0, bBatchStride: 0 };
      assertClose(runGemm(kern, a, b, 'float64', args), runGemm(jsKernels, a, b, 'float64', args), k, 'float64', `${name} ${m}×${n}×${k}`);
    }
  }
});

function geometries(): PatchGeometry[] {
  return [
    patchGeometry(1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1),
    patchGeometry(2, 3, 5, 7, 3, 3, 1, 1, 1, 1, 1, 1),
    patchGeometry(1, 2, 8, 6, 2, 3, 2, 1, 0, 2, 1, 1),
    patchGeometry(2, 1, 9, 9, 3, 2, 2, 3, 1, 0, 2, 1),
    patchGeometry(1, 4, 6, 5, 1, 1, 1, 1, 0, 0, 1, 1),
    patchGeometry(1, 1, 4, 4, 5, 5, 1, 1, 2, 2, 1, 1),
  ];
}

for (const dtype of ['float32', 'float64'] as const) {
  test(`im2col/col2im ${dtype}: every backend matches js exactly`, () => {
    let seed = 500;
    for (const g of geometries()) {
      const rand = lcg(seed++);
      const label = `${dtype} n${g.n} c${g.c} ${g.h}×${g.w} k${g.kh}×${g.kw} s${g.strideH}×${g.strideW} p${g.padH}×${g.padW} d${g.dilationH}×${g.dilationW}`;
      const x = randomArray(dtype, g.n * g.c * g.h * g.w, rand);
      const colsSize = g.n * g.c * g.kh * g.kw * g.oh * g.ow;
      const cols = randomArray(dtype, colsSize, rand);
      const alloc = (size: number): FloatArray => (dtype === 'float32' ? new Float32Array(size) : new Float64Array(size)).fill(Number.NaN);
      for (const pad of [0, -Infinity]) {
        const want = alloc(colsSize);
        jsKernels.im2col(x, want, g, pad);
        for (const [name, kern] of BACKENDS) {
          const got = alloc(colsSize);
          kern.im2col(x, got, g, pad);
          assert.deepEqual(got, want, `${name} im2col ${label} pad ${pad}`);
        }
      }
      const want = alloc(x.length);
      jsKernels.col2im(cols, want, g);
      for (const [name, kern] of BACKENDS) {
        const got = alloc(x.length);
        kern.col2im(cols, got, g);
        assert.deepEqual(got, want, `${name} col2im ${label}`);
      }
    }
  });
}

test("fused adam: every backend that has it gives the JS reference loop's exact bits", async () => {
  const { fusedAdamLeaf } = await import('../src/kernels/fused.ts');
  const specials = [0, -0, 1e-45, -1e-40, 3e38, -3e38, Infinity, -Infinity, 1e-300, 5e-324];
  let checked = 0;
  for (const [name, kern] of BACKENDS) {
    for (const dtype of ['float32', 'float64'] as const) {
      for (const n of [0, 1, 3, 5, 17, 1000, 4099]) {
        const rand = lcg(n + 11);
        const g = randomArray(dtype, n, rand);
        const m = randomArray(dtype, n, rand);
        const v = randomArray(dtype, n, () => Math.abs(rand()) * 1e-3);
        for (let i = 0; i < Math.min(n, specials.length); i++) g[i] = specials[i]!;
        const [b1, b2, c1, c2, eps] = [0.9, 0.999, 1 / (1 - 0.9 ** 3), 1 / (1 - 0.999 ** 3), 1e-8];
        const want = fusedAdamLeaf(g, m, v, b1, b2, c1, c2, eps);
        const r = (x: number): number => (dtype === 'float32' ? Math.fround(x) : x);
        const mk = (): FloatArray => (dtype === 'float32' ? new Float32Array(n) : new Float64Array(n));
        const [mo, vo, u] = [mk(), mk(), mk()];
        kern.adam(g, m, v, mo, vo, u, { b1: r(b1), ob1: r(1 - b1), b2: r(b2), ob2: r(1 - b2), c1: r(c1), c2: r(c2), eps: r(eps) });
        for (const [label, got, ref] of [
          ['m', mo, want.m],
          ['v', vo, want.v],
          ['u', u, want.u],
        ] as const) {
          for (let i = 0; i < n; i++) {
            const same = Object.is(got[i], ref[i]) || (Number.isNaN(got[i]) && Number.isNaN(ref[i]));
            if (!same) assert.fail(`${name} ${dtype} n=${n} ${label}[${i}] = ${got[i]}, JS gives ${ref[i]}`);
          }
        }
        checked++;
      }
    }
  }
  assert.ok(checked > 0, 'no backend has a fused adam');
});

test("fused scale/add: every backend that has them gives the JS loops' exact bits", async () => {
  const { fusedScaleLeaf, fusedAddLeaf } = await import('../src/kernels/fused.ts');
  let checked = 0;
  for (const [name, kern] of BACKENDS) {
    for (const dtype of ['float32', 'float64'] as const) {
      for (const n of [0, 1, 3, 17, 1000, 4099]) {
        const rand = lcg(n + 5);
        const a = randomArray(dtype, n, rand);
        const b = randomArray(dtype, n, rand);
        if (n > 4) [a[0], a[1], b[2], a[3]] = [-0, 3e38, Infinity, 1e-44];
        const s = dtype === 'float32' ? Math.fround(-0.1) : -0.1;
        const out1 = dtype === 'float32' ? new Float32Array(n) : new Float64Array(n);
        const out2 = dtype === 'float32' ? new Float32Array(n) : new Float64Array(n);
        kern.scale(a, out1, s);
        kern.add(a, b, out2);
        assert.deepEqual(out1, fusedScaleLeaf(a, -0.1), `${name} ${dtype} scale n=${n}`);
        assert.deepEqual(out2, fusedAddLeaf(a, b), `${name} ${dtype} add n=${n}`);
        checked++;
      }
    }
  }
  assert.ok(checked > 0, 'no backend has fused scale/add');
});

test("binary: every backend that has it gives the JS expressions' bits (every op and form)", async () => {
  const { BINARY_OPS, BINARY_REFERENCE: ref } = await import('../src/kernels/kernels.ts');
  const specials = [0, -0, Infinity, -Infinity, NaN, 1e-45, -3e38, 5e-324, 1, -1];
  const forms: Array<[string, number, number]> = [
    ['same', 37, 37],
    ['same empty', 0, 0],
    ['scalar right', 33, 1],
    ['scalar left', 1, 33],
    ['bias right', 8 * 20, 20],
    ['bias left', 6, 6 * 9],
    ['one', 1, 1],
    ['long', 4099, 4099],
  ];
  let checked = 0;
  for (const [name, kern] of BACKENDS) {
    for (const dtype of ['float32', 'float64'] as const) {
      for (const [form, nx, ny] of forms) {
        const rand = lcg(nx * 7 + ny);
        const x = randomArray(dtype, nx, rand);
        const y = randomArray(dtype, ny, rand);
        for (let i = 0; i < Math.min(nx, specials.length); i++) x[i] = specials[i]!;
        for (let i = 0; i < Math.min(ny, specials.length); i++) y[(i * 3) % ny] = specials[(i + 3) % specials.length]!;
        const n = Math.max(nx, ny);
        for (const op of BINARY_OPS) {
          const want = dtype === 'float32' ? new Float32Array(n) : new Float64Array(n);
          for (let i = 0; i < n; i++) want[i] = ref[op]!(x[i % nx]!, y[i % ny]!);
          const got = dtype === 'float32' ? new Float32Array(n) : new Float64Array(n);
          kern.binary(op, x, y, got);
          for (let i = 0; i < n; i++) {
            const same = Object.is(got[i], want[i]) || (Number.isNaN(got[i]) && Number.isNaN(want[i]));
            if (!same) assert.fail(`${name} ${dtype} ${op} ${form}: out[${i}] = ${got[i]}, JS gives ${want[i]} (a ${x[i % nx]}, b ${y[i % ny]})`);
          }
        }
        checked++;
      }
    }
  }
  assert.ok(checked > 0, 'no backend has binary');
});

test('svd: every backend agrees with the js reference (after the sign convention), both orientations, sizes 0 and 1', () => {
  const shapes: Array<[number, number]> = [
    [0, 0],
    [0, 3],
    [1, 1],
    [1, 4],
    [4, 1],
    [5, 3],
    [3, 5],
    [40, 7],
    [7, 40],
    [33, 33],
    [64, 48],
  ];
  for (const [name, kern] of BACKENDS) {
    for (const [m, n] of shapes) {
      const a = randomArray('float64', m * n, lcg(m * 131 + n)) as Float64Array;
      const want = canonicalSvdSigns(jsKernels.svd(a, m, n), m, n);
      const got = canonicalSvdSigns(kern.svd(a, m, n), m, n);
      const scale = Math.max(want.s[0] ?? 0, 1);
      for (const key of ['u', 's', 'v'] as const) {
        assert.equal(got[key].length, want[key].length, `${name} ${m}×${n} ${key} length`);
        for (let i = 0; i < want[key].length; i++) {
          const err = Math.abs(got[key][i]! - want[key][i]!);
          if (!(err <= 1e-12 * (key === 's' ? scale : 1) * 10)) assert.fail(`${name} svd ${m}×${n}: ${key}[${i}] = ${got[key][i]}, js gives ${want[key][i]}`);
        }
      }
    }
    assert.throws(() => kern.svd(new Float64Array([1, Infinity, 0, 0]), 2, 2), /^Error: svd: a contains a non-finite value \(Infinity\) at index 1/, name);
    assert.throws(() => kern.svd(new Float64Array(5), 2, 3), /^Error: svd: a has length 5, expected 6 \(m=2, n=3\)/, name);
  }
});

// ── The loops behind the tensor primitives: unary, elementwise (any type), select, cast,
// reductions, softmax cross-entropy, layout copies. Each is checked on every backend against a
// plain per-element reference written here (not the js kernel), so the js backend is tested too.

type AnyDType = 'float64' | 'float32' | 'int32' | 'bool';
type AnyArray = Float64Array | Float32Array | Int32Array | Uint8Array;

function make(dtype: AnyDType, n: number): AnyArray {
  return dtype === 'float64' ? new Float64Array(n) : dtype === 'float32' ? new Float32Array(n) : dtype === 'int32' ? new Int32Array(n) : new Uint8Array(n);
}

/** Values of the dtype: [-1, 1) floats (specials first when `specials`), small ints, 0/1 bools. */
function values(dtype: AnyDType, n: number, seed: number, specials: readonly number[] = []): AnyArray {
  const rand = lcg(seed);
  const out = make(dtype, n);
  for (let i = 0; i < n; i++) {
    const r = rand();
    out[i] = dtype === 'int32' ? Math.floor(r * 5) : dtype === 'bool' ? (r > 0 ? 1 : 0) : r * 3;
  }
  if (dtype === 'float64' || dtype === 'float32') for (let i = 0; i < Math.min(n, specials.length); i++) out[i] = specials[i]!;
  return out;
}

function sameBits(got: ArrayLike<number>, want: ArrayLike<number>, label: string): void {
  assert.equal(got.length, want.length, `${label}: length`);
  for (let i = 0; i < want.length; i++) {
    const same = Object.is(got[i], want[i]) || (Number.isNaN(got[i]) && Number.isNaN(want[i]));
    if (!same) assert.fail(`${label}: out[${i}] = ${got[i]}, the reference gives ${want[i]}`);
  }
}

/** Finite values within 2·|w|·2^-52 of the reference w (2–4 ulp; the exact ≤ 2 ulp check is src/kernels/fast-math.test.ts); NaN, ±Infinity and ±0 exactly the reference's. */
function within2Ulp(got: ArrayLike<number>, want: ArrayLike<number>, label: string): void {
  assert.equal(got.length, want.length, `${label}: length`);
  for (let i = 0; i < want.length; i++) {
    const g = got[i]!,
      w = want[i]!;
    const exact = Object.is(g, w) || (Number.isNaN(g) && Number.isNaN(w));
    const ulp = Math.abs(w) * 2 ** -52 || 2 ** -1074; // between 1 and 2 spacings of doubles at w
    if (!exact && !(Number.isFinite(w) && w !== 0 && Math.abs(g - w) <= 2 * ulp))
      assert.fail(`${label}: out[${i}] = ${g}, the reference gives ${w} (further apart than 2·|w|·2^-52)`);
  }
}

const SPECIALS = [0, -0, Infinity, -Infinity, NaN, 1e-45, -3e38, 5e-324, 1, -1, 0.5, -2];
const SIZES = [0, 1, 5, 37];

test("unary: every backend gives the reference Math functions' bits (every op, f32/f64/int32, sizes 0 and 1)", async () => {
  const { UNARY_OPS } = await import('../src/kernels/kernels.ts');
  const ref: Record<(typeof UNARY_OPS)[number], (a: number) => number> = {
    neg: (a) => -a,
    exp: Math.exp,
    log: Math.log,
    sin: Math.sin,
    cos: Math.cos,
    tanh: Math.tanh,
    sigmoid: (a) => (a >= 0 ? 1 / (1 + Math.exp(-a)) : Math.exp(a) / (1 + Math.exp(a))),
    sqrt: Math.sqrt,
    abs: Math.abs,
    sign: (a) => (a > 0 ? 1 : a < 0 ? -1 : a),
  };
  for (const [name, kern] of BACKENDS) {
    for (const dtype of ['float64', 'float32', 'int32'] as const) {
      for (const n of SIZES) {
        const x = values(dtype, n, n + 3, SPECIALS);
        for (const op of UNARY_OPS) {
          const want = make(dtype, n);
          for (let i = 0; i < n; i++) want[i] = ref[op](x[i]!);
          const got = make(dtype, n).fill(7);
          kern.unary(op, x, got);
          // native's float64 exp/tanh/sigmoid and wasm's exp/tanh are vectorized approximations (native/fast_math.h):
          // within 2 ulp of Math, specials exact; src/kernels/fast-math.test.ts tests them in depth.
          if (
            dtype === 'float64' &&
            ((name.startsWith('native') && (op === 'exp' || op === 'tanh' || op === 'sigmoid')) || (name.startsWith('wasm') && (op === 'exp' || op === 'tanh')))
          )
            within2Ulp(got, want, `${name} unary ${op} ${dtype} n=${n}`);
          else sameBits(got, want, `${name} unary ${op} ${dtype} n=${n}`);
        }
      }
    }
    assert.throws(() => kern.unary('nope' as never, new Float64Array(1), new Float64Array(1)), /unknown op 'nope'/);
  }
});

test('elementwise: every backend gives the reference bits (every op and operand form, f32/f64/int32, comparisons to bool)', async () => {
  const { BINARY_OPS, BINARY_REFERENCE, COMPARE_OPS } = await import('../src/kernels/kernels.ts');
  const ref: Record<string, (a: number, b: number) => number> = {
    ...BINARY_REFERENCE,
    pow: Math.pow,
    eq: (a, b) => (a === b ? 1 : 0),
    ne: (a, b) => (a !== b ? 1 : 0),
    lt: (a, b) => (a < b ? 1 : 0),
    le: (a, b) => (a <= b ? 1 : 0),
    gt: (a, b) => (a > b ? 1 : 0),
    ge: (a, b) => (a >= b ? 1 : 0),
  };
  const ops = [...BINARY_OPS, 'pow', ...COMPARE_OPS] as const;
  const forms: Array<[string, number, number]> = [
    ['same', 37, 37],
    ['empty', 0, 0],
    ['one', 1, 1],
    ['scalar right', 9, 1],
    ['scalar left', 1, 9],
    ['bias right', 4 * 6, 6],
    ['bias left', 3, 5 * 3],
  ];
  for (const [name, kern] of BACKENDS) {
    for (const dtype of ['float64', 'float32', 'int32'] as const) {
      for (const [form, nx, ny] of forms) {
        const x = values(dtype, nx, nx * 3 + 1, SPECIALS);
        const y = values(dtype, ny, ny * 5 + 2, [...SPECIALS].reverse());
        const n = Math.max(nx, ny);
        for (const op of ops) {
          const outType: AnyDType = (COMPARE_OPS as readonly string[]).includes(op) ? 'bool' : dtype;
          const want = make(outType, n);
          for (let i = 0; i < n; i++) want[i] = ref[op]!(x[i % nx]!, y[i % ny]!);
          const got = make(outType, n).fill(7);
          kern.elementwise(op, x, y, got);
          sameBits(got, want, `${name} elementwise ${op} ${dtype} ${form}`);
          if (outType !== 'bool' && dtype !== 'int32' && (BINARY_OPS as readonly string[]).includes(op)) {
            const viaBinary = make(dtype, n);
            kern.binary(op as (typeof BINARY_OPS)[number], x as FloatArray, y as FloatArray, viaBinary as FloatArray);
            sameBits(got, viaBinary, `${name} elementwise ${op} ${dtype} ${form} vs binary`);
          }
        }
      }
    }
    assert.throws(() => kern.elementwise('nope' as never, new Float64Array(1), new Float64Array(1), new Float64Array(1)), /unknown op 'nope'/);
  }
});

test('select and cast: every backend gives the reference bits (every dtype pair, sizes 0 and 1)', () => {
  const dtypes: AnyDType[] = ['float64', 'float32', 'int32', 'bool'];
  for (const [name, kern] of BACKENDS) {
    for (const n of [0, 1, 7]) {
      const cond = values('bool', n, n + 40);
      for (const from of dtypes) {
        const x = values(from, n, n + 41, [1.9, -1.9, NaN, -0, 3e9, -3e9, Infinity]);
        const y = values(from, n, n + 42);
        const want = make(from, n);
        for (let i = 0; i < n; i++) want[i] = cond[i] ? x[i]! : y[i]!;
        const got = make(from, n).fill(7);
        kern.select(cond, x, y, got);
        sameBits(got, want, `${name} select ${from} n=${n}`);
        for (const to of dtypes) {
          const castWant = make(to, n);
          for (let i = 0; i < n; i++) castWant[i] = to === 'int32' ? Math.trunc(x[i]!) : to === 'bool' ? (x[i] ? 1 : 0) : x[i]!;
          const castGot = make(to, n).fill(7);
          kern.cast(x, castGot);
          sameBits(castGot, castWant, `${name} cast ${from} → ${to} n=${n}`);
        }
      }
    }
  }
});

/** Row-major multi-index of flat index i in `shape`. */
function unravel(i: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length).fill(0);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = i % shape[d]!;
    i = Math.floor(i / shape[d]!);
  }
  return idx;
}

function ravel(idx: readonly number[], shape: readonly number[]): number {
  let off = 0;
  for (let d = 0; d < shape.length; d++) off = off * shape[d]! + idx[d]!;
  return off;
}

const prod = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

/** Every sorted subset of the axes of a rank-r shape, the empty one included. */
function axisSubsets(r: number): number[][] {
  const out: number[][] = [];
  for (let mask = 0; mask < 1 << r; mask++) out.push([...Array(r).keys()].filter((d) => mask & (1 << d)));
  return out;
}

test('sum and max: every backend gives the reference bits (every axis subset, contiguous or not, sizes 0 and 1)', () => {
  const shapes: number[][] = [[], [0], [1], [5], [1, 1], [3, 4], [2, 0, 3], [2, 3, 4], [2, 1, 3, 2]];
  for (const [name, kern] of BACKENDS) {
    for (const dtype of ['float64', 'float32', 'int32'] as const) {
      for (const shape of shapes) {
        const size = prod(shape);
        const x = values(dtype, size, size + shape.length, [1e16, 1, -1e16, NaN]);
        for (const axes of axisSubsets(shape.length)) {
          const outShape = shape.filter((_, d) => !axes.includes(d));
          const outSize = prod(outShape);
          const label = `${name} ${dtype} [${shape}] axes [${axes}]`;
          // Reference: row-major input order into float64 accumulators; max with NaN winning.
          const sumWant = new Float64Array(outSize);
          const maxWant = make(dtype, outSize).fill(-Infinity);
          for (let i = 0; i < size; i++) {
            const j = ravel(
              unravel(i, shape).filter((_, d) => !axes.includes(d)),
              outShape,
            );
            sumWant[j]! += x[i]!;
            if (x[i]! > maxWant[j]! || Number.isNaN(x[i])) maxWant[j] = x[i]!;
          }
          const sumGot = new Float64Array(outSize);
          kern.sum(x, shape, axes, sumGot);
          sameBits(sumGot, sumWant, `sum ${label}`);
          if (size === 0 && outSize > 0) continue; // an empty reduced axis: max's caller refuses it
          const maxGot = make(dtype, outSize).fill(7);
          kern.max(x, shape, axes, maxGot);
          sameBits(maxGot, maxWant, `max ${label}`);
        }
      }
    }
  }
});

test('argmax and softmax cross-entropy: every backend gives the reference bits (sizes 0 and 1)', () => {
  for (const [name, kern] of BACKENDS) {
    for (const dtype of ['float64', 'float32'] as const) {
      for (const [outer, len, inner] of [
        [1, 1, 1],
        [0, 3, 2],
        [2, 1, 3],
        [3, 5, 1],
        [2, 4, 3],
      ] as const) {
        const x = values(dtype, outer * len * inner, outer * 100 + len * 10 + inner);
        if (x.length > 3) x[3] = x[0]!; // a tie: the first index wins
        const want = new Int32Array(outer * inner);
        for (let o = 0; o < outer; o++) {
          for (let i = 0; i < inner; i++) {
            let best = 0;
            for (let k = 1; k < len; k++) if (x[(o * len + k) * inner + i]! > x[(o * len + best) * inner + i]!) best = k;
            want[o * inner + i] = best;
          }
        }
        const got = new Int32Array(outer * inner).fill(-1);
        kern.argmax(x, outer, len, inner, got);
        sameBits(got, want, `${name} argmax ${dtype} ${outer}×${len}×${inner}`);
      }
      for (const [rows, cols] of [
        [1, 1],
        [1, 4],
        [3, 5],
        [8, 10],
      ] as const) {
        const x = values(dtype, rows * cols, rows * 7 + cols, [] as number[]);
        if (x.length > 2) x[1] = dtype === 'float32' ? 80 : 700; // exp overflows without the max shift
        const labels = Int32Array.from({ length: rows }, (_, r) => (r * 3) % cols);
        let total = 0;
        const gradWant = make(dtype, rows * cols);
        for (let r = 0; r < rows; r++) {
          const row = Array.from(x.subarray(r * cols, (r + 1) * cols));
          const m = row.reduce((a, b) => (b > a ? b : a), -Infinity);
          const s = row.reduce((a, v) => a + Math.exp(v - m), 0);
          total += Math.log(s) + m - row[labels[r]!]!;
          for (let j = 0; j < cols; j++) gradWant[r * cols + j] = Math.exp(row[j]! - m) * (1 / (s * rows));
          gradWant[r * cols + labels[r]!]! -= 1 / rows;
        }
        const label = `${name} softmaxCrossEntropy ${dtype} ${rows}×${cols}`;
        assert.ok(Object.is(kern.softmaxCrossEntropy(x, labels, rows, cols), total / rows), label);
        const gradGot = make(dtype, rows * cols).fill(7);
        kern.softmaxCrossEntropyGrad(x, labels, rows, cols, gradGot);
        sameBits(gradGot, gradWant, `${label} grad`);
      }
    }
  }
});

test('layout copies: every backend gives the reference bits (strided gather/scatter, transpose, tile, concat, axis gather/scatter-add)', () => {
  for (const [name, kern] of BACKENDS) {
    for (const dtype of ['float64', 'float32', 'int32', 'bool'] as const) {
      // Strided gather: a transpose of a [2, 3, 4] source, a slice, and a broadcast (stride 0); scatter: a pad.
      const src = values(dtype, 24, 11);
      for (const [shape, stride, base] of [
        [[4, 2, 3], [1, 12, 4], 0],
        [[1, 2, 2], [12, 4, 1], 5],
        [[3, 2], [0, 1], 1],
        [[0, 3], [3, 1], 0],
        [[1], [1], 7],
      ] as const) {
        const n = prod(shape);
        const want = make(dtype, n);
        for (let i = 0; i < n; i++) want[i] = src[base + unravel(i, shape).reduce((a, v, d) => a + v * stride[d]!, 0)]!;
        const got = make(dtype, n).fill(7);
        kern.gatherStrided(src, got, shape, stride, base);
        sameBits(got, want, `${name} gatherStrided ${dtype} [${shape}] stride [${stride}] base ${base}`);
      }
      for (const [shape, stride, base] of [
        [[2, 3], [5, 1], 6],
        [[0, 2], [4, 1], 0],
        [[1, 1], [1, 1], 3],
      ] as const) {
        const x = values(dtype, prod(shape), 13);
        const want = make(dtype, 20);
        for (let i = 0; i < x.length; i++) want[base + unravel(i, shape).reduce((a, v, d) => a + v * stride[d]!, 0)] = x[i]!;
        const got = make(dtype, 20);
        kern.scatterStrided(x, got, shape, stride, base);
        sameBits(got, want, `${name} scatterStrided ${dtype} [${shape}]`);
      }
      for (const [r, c] of [
        [0, 3],
        [1, 1],
        [1, 5],
        [4, 3],
      ] as const) {
        const x = values(dtype, r * c, r * 10 + c);
        const want = make(dtype, r * c);
        for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) want[j * r + i] = x[i * c + j]!;
        const got = make(dtype, r * c).fill(7);
        kern.transpose2d(x, got, r, c);
        sameBits(got, want, `${name} transpose2d ${dtype} ${r}×${c}`);
      }
      for (const [block, total] of [
        [1, 0],
        [1, 1],
        [1, 6],
        [3, 12],
        [5, 5],
      ] as const) {
        const x = values(dtype, block, block + 20);
        const got = make(dtype, total).fill(7);
        kern.tile(x, got);
        sameBits(
          got,
          Array.from({ length: total }, (_, i) => x[i % block]!),
          `${name} tile ${dtype} ${block} → ${total}`,
        );
      }
      for (const [outer, inner, lens] of [
        [2, 3, [1, 0, 2]],
        [1, 1, [1]],
        [0, 2, [2, 1]],
        [3, 2, [2, 2]],
      ] as const) {
        const parts = lens.map((l, p) => values(dtype, outer * l * inner, p + 30));
        const total = lens.reduce((a: number, b) => a + b, 0);
        const want = make(dtype, outer * total * inner);
        for (let o = 0; o < outer; o++) {
          let at = 0;
          for (let p = 0; p < lens.length; p++) {
            for (let k = 0; k < lens[p]!; k++, at++)
              for (let i = 0; i < inner; i++) want[(o * total + at) * inner + i] = parts[p]![(o * lens[p]! + k) * inner + i]!;
          }
        }
        const got = make(dtype, want.length).fill(7);
        kern.concat(parts, lens, outer, inner, got);
        sameBits(got, want, `${name} concat ${dtype} outer ${outer} inner ${inner} lens [${lens}]`);
      }
      for (const [outer, len, inner, idList] of [
        [2, 4, 3, [3, 0, 3]],
        [1, 1, 1, [0]],
        [2, 3, 2, []],
        [0, 2, 2, [1]],
        [3, 2, 1, [1, 1, 0, 1]],
      ] as const) {
        const ids = Int32Array.from(idList);
        const x = values(dtype, outer * len * inner, len * 7 + inner);
        const want = make(dtype, outer * ids.length * inner);
        for (let o = 0; o < outer; o++)
          for (let k = 0; k < ids.length; k++) for (let i = 0; i < inner; i++) want[(o * ids.length + k) * inner + i] = x[(o * len + ids[k]!) * inner + i]!;
        const got = make(dtype, want.length).fill(7);
        kern.gatherAxis(x, ids, outer, len, inner, got);
        sameBits(got, want, `${name} gatherAxis ${dtype} ${outer}×${len}×${inner} ids [${idList}]`);
        // scatterAddAxis is gatherAxis's transpose: u has gatherAxis's output layout.
        const u = values(dtype, outer * ids.length * inner, ids.length + 50);
        const sWant = make(dtype, outer * len * inner);
        for (let o = 0; o < outer; o++)
          for (let k = 0; k < ids.length; k++) for (let i = 0; i < inner; i++) sWant[(o * len + ids[k]!) * inner + i]! += u[(o * ids.length + k) * inner + i]!;
        const sGot = make(dtype, sWant.length);
        kern.scatterAddAxis(u, ids, outer, len, inner, sGot);
        sameBits(sGot, sWant, `${name} scatterAddAxis ${dtype} ${outer}×${len}×${inner} ids [${idList}]`);
      }
    }
  }
});

test('symmetrize: every backend gives (A + Aᵀ)/2 in float64 (f32/f64 in, sizes 0 and 1)', () => {
  for (const [name, kern] of BACKENDS) {
    for (const dtype of ['float64', 'float32'] as const) {
      for (const n of [0, 1, 2, 5]) {
        const a = values(dtype, n * n, n + 60, [1e308, 3, -0, 1e308]) as FloatArray;
        const want = new Float64Array(n * n);
        for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) want[i * n + j] = 0.5 * (a[i * n + j]! + a[j * n + i]!);
        const got = new Float64Array(n * n).fill(7);
        kern.symmetrize(a, n, got);
        sameBits(got, want, `${name} symmetrize ${dtype} n=${n}`);
      }
    }
  }
});
