/**
 * The reference kernel backend in plain JavaScript: GEMM and im2col/col2im here, elementwise
 * binary ops in js-binary.ts, unary ops, select and casts in js-unary.ts, reductions and the
 * softmax-cross-entropy pair in js-reduce.ts, layout copies in js-layout.ts, the fused optimizer
 * loops in fused.ts, dense linear algebra in dense.ts, the SVD in svd.ts (one-sided Jacobi on this
 * GEMM and dense.ts's eigh).
 *
 * GEMM follows the Goto/BLIS scheme: panels of op(A) and op(B) are packed into contiguous
 * Float64Array scratch (whatever the input dtype, so the hot micro-kernel only ever sees one
 * array type and stays monomorphic), and a 4×4 register-blocked micro-kernel streams through
 * them. Small products skip packing: the same 4×4 blocking reads A and B in place, since there
 * packing costs more than it saves.
 *
 * Summation order is fixed: every C entry is summed in increasing p within blocks of KC, each
 * block in a fresh double accumulator that is then stored to (first block) or added to C. Both
 * paths do exactly that, so a result depends only on k, never on m, n, batch or transposes:
 * the same row computed alone or inside a larger batch is bit-identical.
 */
import type { FloatArray, GemmArgs, Kernels, PatchGeometry } from './kernels.ts';
import { binaryInto, elementwiseInto } from './js-binary.ts';
import { castInto, selectInto, unaryInto } from './js-unary.ts';
import { argmaxInto, maxInto, softmaxCrossEntropy, softmaxCrossEntropyGradInto, sumInto } from './js-reduce.ts';
import { concat, gatherAxis, gatherStrided, scatterAddAxis, scatterStrided, tileInto, transpose2d } from './js-layout.ts';
import { adamInto, addInto, axpyInto, momentumInto, scaleInto } from './fused.ts';
import { cholesky, eighSymmetric, qrHouseholder, solveTriangular, symmetrize } from './dense.ts';
import { jacobiSweeps, svdJacobi } from './svd.ts';

/** Micro-tile height and width: 16 accumulators; wider tiles measured no faster in V8. */
const MR = 4;
const NR = 4;
/** Depth of one packed block: an MR×KC + KC×NR pair of micro-panels is 16 KiB, L1-resident. */
const KC = 256;
/** Rows of op(A) per packed block (MC×KC doubles = 128 KiB, L2-resident). */
const MC = 64;
/** Columns of op(B) per packed block (KC×NC doubles = 2 MiB, L2/L3-resident). */
const NC = 1024;
/**
 * Unpacked-path limits, measured: below SMALL_MACS multiply-adds packing never pays; with at
 * most SMALL_ROWS rows of op(A) the packed B panel is reused too little to pay for itself,
 * as long as op(B) (at most SMALL_MACS elements) stays in cache when read in place.
 */
const SMALL_MACS = 64 * 64 * 64;
const SMALL_ROWS = 8;

/** Scratch reused across calls (grown on demand) so a GEMM allocates nothing in steady state. */
let packA: Float64Array = new Float64Array(0);
let packB: Float64Array = new Float64Array(0);
const tile = new Float64Array(MR * NR);

function scratch(buf: Float64Array, size: number): Float64Array {
  return buf.length >= size ? buf : new Float64Array(size);
}

/**
 * Strided view of one operand: element (r, c) of the logical matrix lives at
 * off + r*rs + c*cs, which covers both the plain and the transposed layout.
 */
interface View {
  data: FloatArray;
  off: number;
  rs: number;
  cs: number;
}

function gemm(a: FloatArray, b: FloatArray, c: FloatArray, args: GemmArgs): void {
  let { batch, m } = args;
  const { n, k, transA, transB, aBatchStride, bBatchStride } = args;
  if (batch <= 0 || m <= 0 || n <= 0) return;
  if (k <= 0) {
    c.fill(0, 0, batch * m * n);
    return;
  }
  // A stack of plain A's times one shared B is a single (batch·m)×k product: C is laid out the same.
  if (batch > 1 && bBatchStride === 0 && !transA && aBatchStride === m * k) {
    m *= batch;
    batch = 1;
  }
  const small = m * n * k <= SMALL_MACS || (m <= SMALL_ROWS && k * n <= SMALL_MACS);
  for (let bi = 0; bi < batch; bi++) {
    const A: View = { data: a, off: bi * aBatchStride, rs: transA ? 1 : k, cs: transA ? m : 1 };
    const B: View = { data: b, off: bi * bBatchStride, rs: transB ? 1 : n, cs: transB ? k : 1 };
    const cOff = bi * m * n;
    if (small) gemmUnpacked(A, B, c, cOff, m, n, k);
    else gemmPacked(A, B, c, cOff, m, n, k);
  }
}

/** Small products: 4×4 tiles computed straight from the strided operands. */
function gemmUnpacked(A: View, B: View, c: FloatArray, cOff: number, m: number, n: number, k: number): void {
  const { data: a, off: aOff, rs: ars, cs: acs } = A;
  const { data: b, off: bOff, rs: brs, cs: bcs } = B;
  for (let i0 = 0; i0 < m; i0 += MR) {
    const mr = Math.min(MR, m - i0);
    for (let j0 = 0; j0 < n; j0 += NR) {
      const nr = Math.min(NR, n - j0);
      for (let pc = 0; pc < k; pc += KC) {
        const kc = Math.min(KC, k - pc);
        const ai = aOff + i0 * ars + pc * acs;
        const bi = bOff + j0 * bcs + pc * brs;
        if (mr === MR && nr === NR) stridedKernel(a, ai, ars, acs, b, bi, brs, bcs, kc);
        else edgeKernel(a, ai, ars, acs, b, bi, brs, bcs, kc, mr, nr);
        storeTile(c, cOff + i0 * n + j0, n, mr, nr, pc === 0);
      }
    }
  }
}

/** tile = 4×kc block of A (rows ars apart, depth acs) · kc×4 block of B (depth brs, columns bcs). */
function stridedKernel(a: FloatArray, ai: number, ars: number, acs: number, b: FloatArray, bi: number, brs: number, bcs: number, kc: number): void {
  let c00 = 0,
    c01 = 0,
    c02 = 0,
    c03 = 0;
  let c10 = 0,
    c11 = 0,
    c12 = 0,
    c13 = 0;
  let c20 = 0,
    c21 = 0,
    c22 = 0,
    c23 = 0;
  let c30 = 0,
    c31 = 0,
    c32 = 0,
    c33 = 0;
  const a2 = 2 * ars,
    a3 = 3 * ars,
    b2 = 2 * bcs,
    b3 = 3 * bcs;
  for (let p = 0; p < kc; p++, ai += acs, bi += brs) {
    const y0 = b[bi]!,
      y1 = b[bi + bcs]!,
      y2 = b[bi + b2]!,
      y3 = b[bi + b3]!;
    let x = a[ai]!;
    c00 += x * y0;
    c01 += x * y1;
    c02 += x * y2;
    c03 += x * y3;
    x = a[ai + ars]!;
    c10 += x * y0;
    c11 += x * y1;
    c12 += x * y2;
    c13 += x * y3;
    x = a[ai + a2]!;
    c20 += x * y0;
    c21 += x * y1;
    c22 += x * y2;
    c23 += x * y3;
    x = a[ai + a3]!;
    c30 += x * y0;
    c31 += x * y1;
    c32 += x * y2;
    c33 += x * y3;
  }
  const t = tile;
  t[0] = c00;
  t[1] = c01;
  t[2] = c02;
  t[3] = c03;
  t[4] = c10;
  t[5] = c11;
  t[6] = c12;
  t[7] = c13;
  t[8] = c20;
  t[9] = c21;
  t[10] = c22;
  t[11] = c23;
  t[12] = c30;
  t[13] = c31;
  t[14] = c32;
  t[15] = c33;
}

/** A partial mr×nr tile at the matrix edge: one dot product per entry, same order as above. */
function edgeKernel(
  a: FloatArray,
  ai: number,
  ars: number,
  acs: number,
  b: FloatArray,
  bi: number,
  brs: number,
  bcs: number,
  kc: number,
  mr: number,
  nr: number,
): void {
  for (let i = 0; i < mr; i++) {
    for (let j = 0; j < nr; j++) {
      let s = 0;
      for (let p = 0, x = ai + i * ars, y = bi + j * bcs; p < kc; p++, x += acs, y += brs) s += a[x]! * b[y]!;
      tile[i * NR + j] = s;
    }
  }
}

function gemmPacked(A: View, B: View, c: FloatArray, cOff: number, m: number, n: number, k: number): void {
  packA = scratch(packA, roundUp(Math.min(m, MC), MR) * KC);
  packB = scratch(packB, roundUp(Math.min(n, NC), NR) * KC);
  const ap = packA;
  const bp = packB;
  for (let jc = 0; jc < n; jc += NC) {
    const nc = Math.min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = Math.min(KC, k - pc);
      const first = pc === 0;
      packPanels(B.data, B.off + pc * B.rs + jc * B.cs, B.cs, B.rs, nc, kc, NR, bp);
      for (let ic = 0; ic < m; ic += MC) {
        const mc = Math.min(MC, m - ic);
        packPanels(A.data, A.off + ic * A.rs + pc * A.cs, A.rs, A.cs, mc, kc, MR, ap);
        for (let jr = 0; jr < nc; jr += NR) {
          const nr = Math.min(NR, nc - jr);
          for (let ir = 0; ir < mc; ir += MR) {
            packedKernel(ap, ir * kc, bp, jr * kc, kc);
            storeTile(c, cOff + (ic + ir) * n + jc + jr, n, Math.min(MR, mc - ir), nr, first);
          }
        }
      }
    }
  }
}

function roundUp(x: number, multiple: number): number {
  return Math.ceil(x / multiple) * multiple;
}

/**
 * Packs `len` lines (rows of op(A) or columns of op(B)) × `depth` into micro-panels of `w` lines:
 * panel q holds, for each depth step p, the w values of lines q*w..q*w+w-1 (zero past `len`).
 * Line l, depth p is src[off + l*ls + p*ps].
 */
function packPanels(src: FloatArray, off: number, ls: number, ps: number, len: number, depth: number, w: number, dst: Float64Array): void {
  let o = 0;
  for (let l0 = 0; l0 < len; l0 += w) {
    const lines = Math.min(w, len - l0);
    const base = off + l0 * ls;
    if (lines === 4 && w === 4) {
      // Full panel (MR = NR = 4), unrolled.
      for (let p = 0, s = base; p < depth; p++, s += ps, o += 4) {
        dst[o] = src[s]!;
        dst[o + 1] = src[s + ls]!;
        dst[o + 2] = src[s + 2 * ls]!;
        dst[o + 3] = src[s + 3 * ls]!;
      }
    } else {
      for (let p = 0; p < depth; p++) {
        for (let l = 0; l < w; l++) dst[o++] = l < lines ? src[base + l * ls + p * ps]! : 0;
      }
    }
  }
}

/**
 * tile = (MR×kc panel at ap[ai]) · (kc×NR panel at bp[bi]). The strided kernel's twin on packed
 * Float64Array panels only: kept separate so this one stays monomorphic (≈15% faster at size).
 */
function packedKernel(ap: Float64Array, ai: number, bp: Float64Array, bi: number, kc: number): void {
  let c00 = 0,
    c01 = 0,
    c02 = 0,
    c03 = 0;
  let c10 = 0,
    c11 = 0,
    c12 = 0,
    c13 = 0;
  let c20 = 0,
    c21 = 0,
    c22 = 0,
    c23 = 0;
  let c30 = 0,
    c31 = 0,
    c32 = 0,
    c33 = 0;
  for (let p = 0; p < kc; p++, ai += MR, bi += NR) {
    const b0 = bp[bi]!,
      b1 = bp[bi + 1]!,
      b2 = bp[bi + 2]!,
      b3 = bp[bi + 3]!;
    let av = ap[ai]!;
    c00 += av * b0;
    c01 += av * b1;
    c02 += av * b2;
    c03 += av * b3;
    av = ap[ai + 1]!;
    c10 += av * b0;
    c11 += av * b1;
    c12 += av * b2;
    c13 += av * b3;
    av = ap[ai + 2]!;
    c20 += av * b0;
    c21 += av * b1;
    c22 += av * b2;
    c23 += av * b3;
    av = ap[ai + 3]!;
    c30 += av * b0;
    c31 += av * b1;
    c32 += av * b2;
    c33 += av * b3;
  }
  const t = tile;
  t[0] = c00;
  t[1] = c01;
  t[2] = c02;
  t[3] = c03;
  t[4] = c10;
  t[5] = c11;
  t[6] = c12;
  t[7] = c13;
  t[8] = c20;
  t[9] = c21;
  t[10] = c22;
  t[11] = c23;
  t[12] = c30;
  t[13] = c31;
  t[14] = c32;
  t[15] = c33;
}

/** Writes the valid mr×nr corner of `tile` into C at cOff (leading dimension ldc): store or add. */
function storeTile(c: FloatArray, cOff: number, ldc: number, mr: number, nr: number, first: boolean): void {
  for (let i = 0; i < mr; i++) {
    const row = cOff + i * ldc;
    const t = i * NR;
    if (first) for (let j = 0; j < nr; j++) c[row + j] = tile[t + j]!;
    else for (let j = 0; j < nr; j++) c[row + j]! += tile[t + j]!;
  }
}

/**
 * The output columns ox whose input column ox*sw - pw + j*dw lies inside [0, w): a contiguous
 * range [lo, hi), computed once per kernel column so the inner loops carry no bounds tests.
 */
function validRange(j: number, inSize: number, outSize: number, stride: number, pad: number, dil: number): [number, number] {
  const shift = j * dil - pad; // input index = o*stride + shift
  const lo = Math.min(outSize, Math.max(0, Math.ceil(-shift / stride)));
  const hi = Math.max(lo, Math.min(outSize, Math.floor((inSize - 1 - shift) / stride) + 1));
  return [lo, hi];
}

/**
 * Visits every (image plane, kernel offset, output row) of the patch layout with `col`, the
 * offset of that output row in cols; `src`, the offset of the input row it reads (-1 when the
 * row lies in the padding); the valid output-column range [lo, hi); and ix0, the input column
 * read at ox = lo.
 */
function forEachPatchRow(g: PatchGeometry, visit: (col: number, src: number, lo: number, hi: number, ix0: number) => void): void {
  const { c, h, w, kh, kw, strideH, strideW, padH, padW, dilationH, dilationW, oh, ow } = g;
  const planes = g.n * c;
  for (let plane = 0; plane < planes; plane++) {
    const xPlane = plane * h * w;
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const [lo, hi] = validRange(j, w, ow, strideW, padW, dilationW);
        const ix0 = lo * strideW - padW + j * dilationW;
        // cols row (ci*kh + i)*kw + j of image n: planes are consecutive, so plane*kh*kw works.
        const colRow = ((plane * kh + i) * kw + j) * oh * ow;
        for (let oy = 0; oy < oh; oy++) {
          const iy = oy * strideH - padH + i * dilationH;
          const src = iy >= 0 && iy < h ? xPlane + iy * w : -1;
          visit(colRow + oy * ow, src, lo, hi, ix0);
        }
      }
    }
  }
}

function im2col(x: FloatArray, out: FloatArray, g: PatchGeometry, padValue: number): void {
  const { ow, strideW: sw } = g;
  forEachPatchRow(g, (col, src, lo, hi, ix0) => {
    if (src < 0) {
      out.fill(padValue, col, col + ow);
      return;
    }
    if (lo > 0) out.fill(padValue, col, col + lo);
    for (let ox = lo, ix = src + ix0; ox < hi; ox++, ix += sw) out[col + ox] = x[ix]!;
    if (hi < ow) out.fill(padValue, col + hi, col + ow);
  });
}

function col2im(cols: FloatArray, out: FloatArray, g: PatchGeometry): void {
  const { strideW: sw } = g;
  out.fill(0, 0, g.n * g.c * g.h * g.w);
  forEachPatchRow(g, (col, src, lo, hi, ix0) => {
    if (src < 0) return;
    for (let ox = lo, ix = src + ix0; ox < hi; ox++, ix += sw) out[ix]! += cols[col + ox]!;
  });
}

/** The reference backend: every method, in plain JavaScript; wasm and native start from it. */
export const jsKernels: Kernels = {
  name: 'js',
  gemm,
  im2col,
  col2im,
  binary: binaryInto,
  elementwise: elementwiseInto,
  unary: unaryInto,
  select: selectInto,
  cast: castInto,
  sum: sumInto,
  max: maxInto,
  argmax: argmaxInto,
  softmaxCrossEntropy,
  softmaxCrossEntropyGrad: softmaxCrossEntropyGradInto,
  gatherStrided,
  scatterStrided,
  transpose2d,
  tile: tileInto,
  concat,
  gatherAxis,
  scatterAddAxis,
  adam: adamInto,
  momentum: momentumInto,
  scale: scaleInto,
  axpy: axpyInto,
  add: addInto,
  qr: qrHouseholder,
  symmetrize,
  eigh: eighSymmetric,
  svd: (a, m, n) => svdJacobi(a, m, n, { gemm, eigh: eighSymmetric, sweeps: jacobiSweeps }),
  cholesky,
  solveTriangular,
};
