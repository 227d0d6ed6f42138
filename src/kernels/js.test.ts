import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FloatArray, GemmArgs, PatchGeometry } from './kernels.ts';
import { jsKernels } from './js.ts';
import { convOutputSize, patchGeometry } from './kernels.ts';
import { lcg, randomArray } from '../../test/support/test-data.ts';

type DType = 'float32' | 'float64';

/** Naive reference in float64: C[b] = op(A[b]) · op(B[b]). */
function naiveGemm(a: FloatArray, b: FloatArray, args: GemmArgs): Float64Array {
  const { batch, m, n, k, transA, transB, aBatchStride, bBatchStride } = args;
  const c = new Float64Array(batch * m * n);
  for (let bi = 0; bi < batch; bi++) {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) {
          const av = a[bi * aBatchStride + (transA ? p * m + i : i * k + p)]!;
          const bv = b[bi * bBatchStride + (transB ? j * k + p : p * n + j)]!;
          s += av * bv;
        }
        c[(bi * m + i) * n + j] = s;
      }
    }
  }
  return c;
}

/** Max |got - want| relative to the largest |a|·|b| row-column sum scale (k for unit-range data). */
function assertClose(got: FloatArray, want: Float64Array, k: number, tol: number, label: string): void {
  assert.equal(got.length, want.length, `${label}: length`);
  const scale = Math.max(1, k);
  for (let i = 0; i < want.length; i++) {
    const err = Math.abs(got[i]! - want[i]!) / scale;
    if (!(err <= tol)) assert.fail(`${label}: index ${i} got ${got[i]} want ${want[i]} (scaled err ${err})`);
  }
}

function runGemm(dtype: DType, args: GemmArgs, seed: number): { c: FloatArray; want: Float64Array } {
  const rand = lcg(seed);
  const { batch, m, n, k, aBatchStride, bBatchStride } = args;
  const aSize = (aBatchStride === 0 ? 1 : batch) * m * k;
  const bSize = (bBatchStride === 0 ? 1 : batch) * k * n;
  const a = randomArray(dtype, aSize, rand);
  const b = randomArray(dtype, bSize, rand);
  // Pre-fill C with garbage: gemm must overwrite, not accumulate.
  const c = randomArray(dtype, batch * m * n, rand);
  jsKernels.gemm(a, b, c, args);
  return { c, want: naiveGemm(a, b, args) };
}

const SIZES = [1, 3, 17, 33, 65, 130];
const TRANSPOSES: [boolean, boolean][] = [
  [false, false],
  [true, false],
  [false, true],
  [true, true],
];

for (const dtype of ['float64', 'float32'] as const) {
  const tol = dtype === 'float64' ? 1e-14 : 1e-6;

  test(`gemm ${dtype}: matches a naive triple loop over odd shapes and all transposes`, () => {
    let seed = 1;
    for (const [transA, transB] of TRANSPOSES) {
      for (const m of SIZES) {
        for (const n of SIZES) {
          for (const k of [1, 17, 130]) {
            const args = { batch: 1, m, n, k, transA, transB, aBatchStride: 0, bBatchStride: 0 };
            const { c, want } = runGemm(dtype, args, seed++);
            assertClose(c, want, k, tol, `${dtype} ${m}×${k}·${k}×${n} tA=${transA} tB=${transB}`);
          }
        }
      }
    }
  });

  test(`gemm ${dtype}: large shapes cross the packing block boundaries`, () => {
    // k > 256 spans several depth blocks; m > 64 several row blocks; n > 1024 several column blocks.
    const shapes: [number, number, number][] = [
      [67, 131, 600],
      [130, 1030, 65],
      [257, 33, 300],
    ];
    let seed = 100;
    for (const [m, n, k] of shapes) {
      for (const [transA, transB] of TRANSPOSES) {
        const args = { batch: 1, m, n, k, transA, transB, aBatchStride: 0, bBatchStride: 0 };
        const { c, want } = runGemm(dtype, args, seed++);
        assertClose(c, want, k, tol, `${dtype} ${m}×${k}·${k}×${n} tA=${transA} tB=${transB}`);
      }
    }
  });

  test(`gemm ${dtype}: batches with per-batch and broadcast (stride 0) operands`, () => {
    let seed = 200;
    for (const [m, n, k] of [
      [3, 5, 7],
      [65, 70, 80],
      [8, 20, 300],
    ] as [number, number, number][]) {
      for (const [transA, transB] of TRANSPOSES) {
        for (const [aShared, bShared] of [
          [false, false],
          [true, false],
          [false, true],
        ]) {
          const args = {
            batch: 3,
            m,
            n,
            k,
            transA,
            transB,
            aBatchStride: aShared ? 0 : m * k,
            bBatchStride: bShared ? 0 : k * n,
          };
          const { c, want } = runGemm(dtype, args, seed++);
          assertClose(c, want, k, tol, `${dtype} batch ${m}×${k}·${k}×${n} tA=${transA} tB=${transB} shared=${aShared},${bShared}`);
        }
      }
    }
  });
}

test('gemm: empty dimensions leave C alone, and k = 0 zeroes it', () => {
  for (const [m, n] of [
    [0, 4],
    [4, 0],
    [0, 0],
  ]) {
    const c = new Float64Array(4).fill(7);
    jsKernels.gemm(new Float64Array(0), new Float64Array(0), c, {
      batch: 1,
      m: m!,
      n: n!,
      k: 3,
      transA: false,
      transB: false,
      aBatchStride: 0,
      bBatchStride: 0,
    });
    assert.deepEqual([...c], [7, 7, 7, 7]);
  }
  const c = new Float32Array(2 * 3 * 4).fill(7);
  jsKernels.gemm(new Float32Array(0), new Float32Array(0), c, { batch: 2, m: 3, n: 4, k: 0, transA: true, transB: false, aBatchStride: 0, bBatchStride: 0 });
  assert.ok(c.every((v) => v === 0));
});

test('gemm: results are bit-identical across paths, row counts and transposes', () => {
  // The summation order depends only on k, so neither batch size nor layout changes the bits.
  const [m, n, k] = [128, 90, 600];
  const rand = lcg(7);
  const a = randomArray('float64', m * k, rand);
  const b = randomArray('float64', k * n, rand);
  const plain = { batch: 1, m, n, k, transA: false, transB: false, aBatchStride: 0, bBatchStride: 0 };
  const full = new Float64Array(m * n); // packed path
  jsKernels.gemm(a, b, full, plain);
  const row = new Float64Array(n); // unpacked path
  jsKernels.gemm(a.subarray(37 * k, 38 * k), b, row, { ...plain, m: 1 });
  assert.deepEqual(row, full.subarray(37 * n, 38 * n));
  const transpose = (x: FloatArray, rows: number, cols: number): Float64Array =>
    Float64Array.from({ length: rows * cols }, (_, i) => x[(i % rows) * cols + Math.floor(i / rows)]!);
  const viaT = new Float64Array(m * n);
  jsKernels.gemm(transpose(a, m, k), transpose(b, k, n), viaT, { ...plain, transA: true, transB: true });
  assert.deepEqual(viaT, full);
});

/** Direct transcription of the im2col definition in kernels.ts. */
function naiveIm2col(x: FloatArray, g: PatchGeometry, padValue: number): Float64Array {
  const out = new Float64Array(g.n * g.c * g.kh * g.kw * g.oh * g.ow);
  let o = 0;
  for (let b = 0; b < g.n; b++) {
    for (let ci = 0; ci < g.c; ci++) {
      for (let i = 0; i < g.kh; i++) {
        for (let j = 0; j < g.kw; j++) {
          for (let oy = 0; oy < g.oh; oy++) {
            for (let ox = 0; ox < g.ow; ox++) {
              const iy = oy * g.strideH - g.padH + i * g.dilationH;
              const ix = ox * g.strideW - g.padW + j * g.dilationW;
              const inside = iy >= 0 && iy < g.h && ix >= 0 && ix < g.w;
              out[o++] = inside ? x[((b * g.c + ci) * g.h + iy) * g.w + ix]! : padValue;
            }
          }
        }
      }
    }
  }
  return out;
}

// [n, c, h, w, kh, kw, strideH, strideW, padH, padW, dilationH, dilationW]
const GEOMETRIES: number[][] = [
  [2, 3, 5, 5, 3, 3, 1, 1, 0, 0, 1, 1],
  [2, 3, 7, 6, 3, 3, 2, 2, 1, 1, 1, 1],
  [1, 2, 9, 8, 3, 3, 1, 1, 2, 2, 2, 2],
  [2, 2, 6, 9, 2, 4, 2, 3, 1, 0, 1, 1],
  [1, 3, 8, 7, 1, 3, 3, 1, 0, 2, 1, 2],
  [1, 1, 4, 4, 5, 5, 1, 1, 2, 2, 1, 1],
  [3, 1, 7, 7, 2, 2, 2, 2, 0, 0, 1, 1],
];

function geometry(p: number[]): PatchGeometry {
  const [n, c, h, w, kh, kw, sh, sw, ph, pw, dh, dw] = p as [number, number, number, number, number, number, number, number, number, number, number, number];
  return patchGeometry(n, c, h, w, kh, kw, sh, sw, ph, pw, dh, dw);
}

test('im2col matches the definition (stride, padding, dilation, non-square kernels)', () => {
  let seed = 300;
  for (const dtype of ['float64', 'float32'] as const) {
    for (const p of GEOMETRIES) {
      const g = geometry(p);
      const x = randomArray(dtype, g.n * g.c * g.h * g.w, lcg(seed++));
      for (const padValue of [0, -Infinity]) {
        const out = dtype === 'float32' ? new Float32Array(g.n * g.c * g.kh * g.kw * g.oh * g.ow) : new Float64Array(g.n * g.c * g.kh * g.kw * g.oh * g.ow);
        out.fill(NaN);
        jsKernels.im2col(x, out, g, padValue);
        assert.deepEqual([...out], [...naiveIm2col(x, g, padValue)], `${dtype} geometry ${p.join(',')} pad ${padValue}`);
      }
    }
  }
});

test('col2im is the transpose of im2col: <im2col(x), y> = <x, col2im(y)>', () => {
  let seed = 400;
  for (const p of GEOMETRIES) {
    const g = geometry(p);
    const rand = lcg(seed++);
    const x = randomArray('float64', g.n * g.c * g.h * g.w, rand);
    const y = randomArray('float64', g.n * g.c * g.kh * g.kw * g.oh * g.ow, rand);
    const cols = new Float64Array(y.length);
    jsKernels.im2col(x, cols, g, 0);
    const back = new Float64Array(x.length).fill(NaN); // col2im must zero it first
    jsKernels.col2im(y, back, g);
    let lhs = 0;
    let rhs = 0;
    for (let i = 0; i < y.length; i++) lhs += cols[i]! * y[i]!;
    for (let i = 0; i < x.length; i++) rhs += x[i]! * back[i]!;
    assert.ok(Math.abs(lhs - rhs) <= 1e-12 * Math.max(1, Math.abs(lhs)), `geometry ${p.join(',')}: ${lhs} vs ${rhs}`);
  }
});

test('convOutputSize and patchGeometry', () => {
  assert.equal(convOutputSize(5, 3, 1, 0, 1), 3);
  assert.equal(convOutputSize(7, 3, 2, 1, 1), 4);
  assert.equal(convOutputSize(9, 3, 1, 2, 2), 9);
  const g = patchGeometry(1, 1, 6, 9, 2, 4, 2, 3, 1, 0, 1, 1);
  assert.equal(g.oh, 4);
  assert.equal(g.ow, 2);
  assert.throws(
    () => patchGeometry(1, 1, 2, 2, 5, 5, 1, 1, 0, 0, 1, 1),
    (e: Error) =>
      /input 2×2/.test(e.message) &&
      /kernel 5×5/.test(e.message) &&
      /stride 1×1/.test(e.message) &&
      /padding 0×0/.test(e.message) &&
      /dilation 1×1/.test(e.message),
  );
});
