/**
 * The native and wasm backends' vectorized float64 exp/tanh/sigmoid (native/fast_math.h, compiled
 * into the addon and into src/kernels/wasm/unary.c) against Math:
 * the max ulp error over random inputs of every scale and the edge cases (tiny, subnormal, near
 * the polynomial switch at 0.55 and the range-reduction boundaries, near saturation and
 * overflow/underflow, huge, NaN, ±Infinity, −0), which must be ≤ 2 ulp; the specials exactly
 * Math's; native and wasm the same bits; and the hand-off: below UNARY_MIN, or not float64, the
 * js loops' bits.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { jsKernels } from './js.ts';
import { NATIVE_PATH, UNARY_MIN, loadNativeKernels } from './native.ts';
import { UNARY_MIN as WASM_UNARY_MIN, loadWasmKernels } from './wasm.ts';
import type { Kernels } from './kernels.ts';

const nativeBuilt = existsSync(NATIVE_PATH);
const skip = nativeBuilt ? false : `native addon not built (${NATIVE_PATH}); run npm run build:native`;

/** The raw kernels (no hand-off to js) under test and their fast ops: wasm always (no sigmoid), native when built. */
function rawBackends(): Array<[string, Kernels, readonly FastOp[]]> {
  const list: Array<[string, Kernels, readonly FastOp[]]> = [['wasm', loadWasmKernels(undefined, { raw: true }), ['exp', 'tanh']]];
  if (nativeBuilt) list.push(['native', loadNativeKernels({ raw: true }), ['exp', 'tanh', 'sigmoid']]);
  return list;
}

const REF = {
  exp: Math.exp,
  tanh: Math.tanh,
  sigmoid: (a: number) => (a >= 0 ? 1 / (1 + Math.exp(-a)) : Math.exp(a) / (1 + Math.exp(a))),
} as const;
type FastOp = keyof typeof REF;

const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);

/** The neighbour of x away from 0 (x finite); MAX_VALUE's is its own spacing added. */
function nextAway(x: number): number {
  f64[0] = Math.abs(x);
  u64[0]! += 1n;
  return f64[0]!;
}

/** The spacing of doubles at |w| (w finite): next up minus |w|. */
function ulpOf(w: number): number {
  const a = Math.abs(w);
  return a === Number.MAX_VALUE ? 2 ** 971 : nextAway(a) - a;
}

/** Distance in ulps of want; Infinity when the two differ in NaN-ness, infinity or sign of a zero. */
function ulpError(got: number, want: number): number {
  if (Number.isNaN(want) || Number.isNaN(got)) return Number.isNaN(want) && Number.isNaN(got) ? 0 : Infinity;
  if (!Number.isFinite(want) || !Number.isFinite(got)) return got === want ? 0 : Infinity;
  if (want === 0 || got === 0) return Object.is(got, want) ? 0 : Math.abs(got - want) / 2 ** -1074;
  return Math.abs(got - want) / ulpOf(want);
}

/** Deterministic xorshift64 uniforms in [0, 1) (never the global generator). */
function xorshift(seed: bigint): () => number {
  let s = seed;
  const mask = (1n << 64n) - 1n;
  return () => {
    s ^= (s << 13n) & mask;
    s ^= s >> 7n;
    s ^= (s << 17n) & mask;
    return Number(s >> 11n) / 2 ** 53;
  };
}

const EDGES: number[] = (() => {
  const base = [
    0,
    5e-324,
    2 ** -1022 - 2 ** -1074,
    2 ** -1022,
    1e-300,
    2 ** -60,
    2 ** -28,
    2 ** -27,
    1e-8,
    1e-3,
    0.1733,
    Math.LN2 / 2,
    0.5,
    0.55,
    0.5493061443340549,
    Math.LN2,
    1,
    2,
    10,
    19,
    19.06,
    19.1,
    20,
    22,
    40,
    41,
    100,
    700,
    709.782712893384,
    709.7827128933841,
    709.79,
    710,
    745.1332191019411,
    745.1332191019412,
    745.14,
    746,
    1e300,
    Number.MAX_VALUE,
    Infinity,
    -708.3964185322641,
    -708.4,
    -720,
    -740,
  ];
  const out: number[] = [NaN];
  for (const b of base) {
    for (const v of [b, nextAway(b), b > 5e-324 && Number.isFinite(b) ? b - ulpOf(b) : b]) out.push(v, -v);
  }
  return out;
})();

/** Edges, then uniforms at several scales and log-uniform magnitudes from 2^-1074 up to 2^10. */
function inputs(n: number): Float64Array {
  const rand = xorshift(0x9e3779b97f4a7c15n);
  const x = new Float64Array(n);
  x.set(EDGES.slice(0, n));
  const scales = [1, 4, 50, 1500];
  for (let i = Math.min(n, EDGES.length); i < n; i++) {
    const kind = i % 5;
    const sign = rand() < 0.5 ? -1 : 1;
    x[i] = kind < 4 ? (rand() - 0.5) * scales[kind]! : sign * (1 + rand()) * 2 ** Math.floor(rand() * 1085 - 1075);
  }
  return x;
}

function maxUlp(kern: Kernels, op: FastOp, x: Float64Array): { max: number; at: number; out: Float64Array } {
  const out = new Float64Array(x.length).fill(7);
  kern.unary(op, x, out);
  let max = 0;
  let at = NaN;
  for (let i = 0; i < x.length; i++) {
    const e = ulpError(out[i]!, REF[op](x[i]!));
    if (e > max || Number.isNaN(e)) {
      max = e;
      at = x[i]!;
    }
  }
  return { max, at, out };
}

test("native/wasm exp/tanh/sigmoid: within 2 ulp of Math over random and edge inputs; specials exactly Math's; one set of bits", (t) => {
  const x = inputs(400_000);
  const results = new Map<string, Float64Array>();
  for (const [name, raw, ops] of rawBackends()) {
    for (const op of ops) {
      const { max, at, out } = maxUlp(raw, op, x);
      t.diagnostic(`${name} ${op}: max ${max} ulp from Math (at x = ${at}) over ${x.length} inputs`);
      assert.ok(max <= 2, `${name} ${op}: ${max} ulp from Math at x = ${at}`);
      const other = results.get(op);
      if (other) assert.deepEqual(out, other, `${name} ${op}: not the other backend's bits`);
      results.set(op, out);
    }
    specialsExact(name, raw, ops);
  }
});

function specialsExact(name: string, raw: Kernels, ops: readonly FastOp[]): void {
  // Specials exact: NaN, ±Infinity, ±0, the smallest subnormal, overflow/underflow, tanh's saturation.
  for (const op of ops) {
    const specials = new Float64Array([NaN, Infinity, -Infinity, 0, -0, 5e-324, -5e-324, 800, -800, ...(op === 'tanh' ? [19.1, -19.1, 40, -1e300] : [])]);
    const out = new Float64Array(specials.length);
    raw.unary(op, specials, out);
    specials.forEach((v, i) => {
      const want = REF[op](v);
      assert.ok(Object.is(out[i], want), `${name} ${op}(${v}) = ${out[i]}, Math gives ${want}`);
    });
  }
}

test('native exp/tanh/sigmoid: in place equals out of place; js bits below UNARY_MIN and off float64', { skip }, () => {
  handOff(loadNativeKernels(), UNARY_MIN);
});

test('wasm exp/tanh/sigmoid: in place equals out of place; js bits below UNARY_MIN and off float64', () => {
  handOff(loadWasmKernels(), WASM_UNARY_MIN);
});

function handOff(kern: Kernels, min: number): void {
  const x = inputs(EDGES.length + min + 1100); // > 512: native's in-place path goes through more than one stack chunk
  for (const op of ['exp', 'tanh', 'sigmoid'] as const) {
    const out = new Float64Array(x.length);
    kern.unary(op, x, out);
    const inPlace = x.slice();
    kern.unary(op, inPlace, inPlace);
    assert.deepEqual(inPlace, out, `${kern.name} ${op} in place`);
    // Disjoint views of one buffer (as pooled tensors are) take the same path as separate arrays.
    const shared = new Float64Array(2 * x.length + 3);
    const xv = shared.subarray(0, x.length),
      ov = shared.subarray(x.length + 3);
    xv.set(x);
    kern.unary(op, xv, ov);
    assert.deepEqual(ov, out, `${kern.name} ${op} on disjoint views of one buffer`);
    // Short arrays and float32 are the js loops: their exact bits.
    for (const short of [x.subarray(0, min - 1), new Float32Array(x)]) {
      const got = short instanceof Float32Array ? new Float32Array(short.length) : new Float64Array(short.length);
      const want = got.slice();
      kern.unary(op, short, got);
      jsKernels.unary(op, short, want);
      assert.deepEqual(got, want, `${kern.name} ${op} on ${short.constructor.name}[${short.length}]`);
    }
  }
  assert.throws(() => kern.unary('nope' as never, new Float64Array(min), new Float64Array(min)), /unknown op 'nope'/);
}
