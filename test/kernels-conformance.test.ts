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
import { lcg, randomArray, runGemm } from '../src/kernels/test-data.ts';

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

test('TRAINSCOPE_BACKEND forces a backend; an unknown one falls back to the default with a warning', () => {
  const probe = "import('./src/kernels/backend.ts').then((m) => console.log(JSON.stringify(m.backendInfo())))";
  const forcings: Array<[string, string]> = [['js', 'js'], ['wasm', 'wasm'], ['nope', DEFAULT]];
  if (DEFAULT === 'native') forcings.push(['native', 'native']);
  for (const [env, want] of forcings) {
    const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', probe], {
      env: { ...process.env, TRAINSCOPE_BACKEND: env }, encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout.trim()).name, want, `TRAINSCOPE_BACKEND=${env}`);
    if (env === 'nope') assert.match(r.stderr, /TRAINSCOPE_BACKEND=nope is not available/);
    else assert.equal(r.stderr, '');
  }
});

test('a module that is not a kernels.wasm is refused with a clear error', () => {
  assert.throws(() => loadWasmKernels(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0])), /lacks export 'memory'/);
  assert.throws(() => loadWasmKernels(new Uint8Array([1, 2, 3])));
});

/** [m, n, k]: empty, unit, odd, and sizes crossing every blocking boundary (KC 256, MC 64/128, NC 1024/2048). */
const SHAPES: Array<[number, number, number]> = [
  [0, 3, 4], [3, 0, 4], [3, 4, 0], [1, 1, 1], [1, 7, 1], [7, 1, 9], [1, 1, 300], [2, 3, 2], [5, 3, 2],
  [13, 11, 37], [4, 8, 256], [17, 9, 257], [65, 33, 300], [129, 70, 513], [3, 1030, 5], [2, 2050, 3],
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
    for (const [m, n, k] of [[9, 10, 11], [33, 17, 300], [70, 129, 64]] as const) {
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
    for (const [m, n, k, transA] of [[8, 20, 256, false], [7, 10, 600, false], [256, 20, 8, true], [3, 5, 1, false], [33, 31, 40, true]] as const) {
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
    for (const [m, n, k] of [[300, 200, 700], [5, 6, 7], [300, 200, 700]] as const) {
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

test('fused adam: every backend that has it gives the JS reference loop\'s exact bits', async () => {
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
        for (const [label, got, ref] of [['m', mo, want.m], ['v', vo, want.v], ['u', u, want.u]] as const) {
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

test('fused scale/add: every backend that has them gives the JS loops\' exact bits', async () => {
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

test('binary: every backend that has it gives the JS expressions\' bits (every op and form)', async () => {
  const { BINARY_OPS, BINARY_REFERENCE: ref } = await import('../src/kernels/kernels.ts');
  const specials = [0, -0, Infinity, -Infinity, NaN, 1e-45, -3e38, 5e-324, 1, -1];
  const forms: Array<[string, number, number]> = [
    ['same', 37, 37], ['same empty', 0, 0], ['scalar right', 33, 1], ['scalar left', 1, 33],
    ['bias right', 8 * 20, 20], ['bias left', 6, 6 * 9], ['one', 1, 1], ['long', 4099, 4099],
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
  const shapes: Array<[number, number]> = [[0, 0], [0, 3], [1, 1], [1, 4], [4, 1], [5, 3], [3, 5], [40, 7], [7, 40], [33, 33], [64, 48]];
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
