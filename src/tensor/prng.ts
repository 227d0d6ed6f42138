/**
 * Counter-based random numbers with explicit keys, in the style of JAX.
 *
 * A key is plain data: two uint32 words, JSON-serializable so it can be stored in a checkpoint.
 * All randomness comes from Threefry-2x32-20 (Salmon et al., "Parallel random numbers: as easy
 * as 1, 2, 3", SC 2011), a keyed hash of a 64-bit counter (hi, lo) to two uint32 words. It is
 * pure 32-bit integer math, so the same key gives bit-identical results on every run and machine.
 *
 * Streams. Every sampler reads the key's word stream: block j = threefry(key, hi(j), lo(j))
 * gives words 2j and 2j+1. randomBits(key, n) is the first n words, so shorter requests are
 * prefixes of longer ones, and each sampler documents how many words one value consumes.
 *
 * Derived keys follow JAX's default ("partitionable") threefry scheme: foldIn(key, d) =
 * threefry(key, hi(d), lo(d)) and split(key, n)[i] = foldIn(key, i). As in JAX, a key should be
 * used for one purpose only: either sampled from, or split, or folded into — not several of these,
 * because e.g. split(k)[0], foldIn(k, 0) and the first two words of randomBits(k, 2) coincide.
 */

/** Two uint32 words. The brand keeps arbitrary number pairs from being passed as keys by accident. */
export type Key = readonly [number, number] & { readonly __key: true };

const TWO_32 = 4294967296;
const TWO_NEG_24 = 2 ** -24;
const TWO_NEG_53 = 2 ** -53;

/** A value for an error message (String for numbers, so NaN and Infinity are not shown as null). */
function fmt(x: unknown): string {
  if (typeof x === 'number') return String(x);
  try {
    return JSON.stringify(x) ?? String(x);
  } catch {
    return String(x);
  }
}

const isUint32 = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 0 && x < TWO_32;

function makeKey(hi: number, lo: number): Key {
  return Object.freeze([hi >>> 0, lo >>> 0]) as unknown as Key;
}

function checkKey(fn: string, k: unknown): Key {
  if (!isKey(k)) throw new Error(`${fn}: expected a key (two uint32 words from key/split/foldIn), got ${fmt(k)}`);
  return k;
}

function checkCount(fn: string, what: string, n: unknown): number {
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) {
    throw new Error(`${fn}: ${what} must be a non-negative integer, got ${fmt(n)}`);
  }
  return n;
}

function checkFinite(fn: string, what: string, x: unknown): number {
  if (typeof x !== 'number' || !Number.isFinite(x)) throw new Error(`${fn}: ${what} must be a finite number, got ${fmt(x)}`);
  return x;
}

export function isKey(x: unknown): x is Key {
  return Array.isArray(x) && x.length === 2 && isUint32(x[0]) && isUint32(x[1]);
}

/** Rebuilds a key from data (e.g. read back from a checkpoint); throws unless it is [uint32, uint32]. */
export function keyFromData(x: unknown): Key {
  if (!isKey(x)) throw new Error(`keyFromData: expected an array of two integers in [0, 2^32), got ${fmt(x)}`);
  return makeKey(x[0], x[1]);
}

/** The key for a seed: [high 32 bits, low 32 bits], the same words as JAX's PRNGKey(seed). */
export function key(seed: number): Key {
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed) || seed < 0) {
    throw new Error(`key: seed must be a non-negative safe integer, got ${fmt(seed)}`);
  }
  return makeKey(Math.floor(seed / TWO_32), seed);
}

// ---------------------------------------------------------------------------------------------
// Threefry-2x32 with 20 rounds (Random123's threefry2x32_R(20, ...)).

/** Key-schedule parity constant: the third schedule word is k0 ^ k1 ^ this. */
const SKEIN_PARITY = 0x1bd11bda;

/**
 * Hashes counter (c0, c1) under key (k0, k1) into out[at], out[at + 1].
 * Words are kept as int32 (`| 0`) in between, which V8 handles fastest; wrapping additions and
 * rotations are the same bits as on uint32, and the Uint32Array store reinterprets them.
 * The rotations are written out as literals (about 2x faster than looking them up).
 */
function hashBlock(k0: number, k1: number, c0: number, c1: number, out: Uint32Array, at: number): void {
  // The key schedule cycles through (k0, k1, k2); injection s (after 4s rounds) adds ks[s % 3] to
  // x0 and ks[(s + 1) % 3] + s to x1. (a, b, c) holds (ks[s % 3], ks[(s + 1) % 3], ks[(s + 2) % 3]).
  let a = k1 | 0;
  let b = (k0 ^ k1 ^ SKEIN_PARITY) | 0;
  let c = k0 | 0;
  let x0 = (c0 + k0) | 0;
  let x1 = (c1 + k1) | 0;
  for (let s = 1; s <= 5; s++) {
    // Four rounds with the rotation constants R_32x2 = [13, 15, 26, 6, 17, 29, 16, 24].
    if ((s & 1) === 1) {
      x0 = (x0 + x1) | 0;
      x1 = ((x1 << 13) | (x1 >>> 19)) ^ x0;
      x0 = (x0 + x1) | 0;
      x1 = ((x1 << 15) | (x1 >>> 17)) ^ x0;
      x0 = (x0 + x1) | 0;
      x1 = ((x1 << 26) | (x1 >>> 6)) ^ x0;
      x0 = (x0 + x1) | 0;
      x1 = ((x1 << 6) | (x1 >>> 26)) ^ x0;
    } else {
      x0 = (x0 + x1) | 0;
      x1 = ((x1 << 17) | (x1 >>> 15)) ^ x0;
      x0 = (x0 + x1) | 0;
      x1 = ((x1 << 29) | (x1 >>> 3)) ^ x0;
      x0 = (x0 + x1) | 0;
      x1 = ((x1 << 16) | (x1 >>> 16)) ^ x0;
      x0 = (x0 + x1) | 0;
      x1 = ((x1 << 24) | (x1 >>> 8)) ^ x0;
    }
    x0 = (x0 + a) | 0;
    x1 = (x1 + b + s) | 0;
    const t = a;
    a = b;
    b = c;
    c = t;
  }
  out[at] = x0;
  out[at + 1] = x1;
}

const scratch = new Uint32Array(2);

/** One Threefry-2x32-20 block: the two uint32 words for counter (c0, c1) under `key`. */
export function threefry2x32(k: Key, c0: number, c1: number): [number, number] {
  checkKey('threefry2x32', k);
  if (!isUint32(c0) || !isUint32(c1)) throw new Error(`threefry2x32: counter words must be integers in [0, 2^32), got ${fmt(c0)}, ${fmt(c1)}`);
  hashBlock(k[0], k[1], c0, c1, scratch, 0);
  return [scratch[0]!, scratch[1]!];
}

/**
 * Fills `out` with the key's word stream starting at block `firstBlock`: block j (a 64-bit counter
 * split into hi/lo words) gives out[2(j - firstBlock)] and the word after it. For an odd length the
 * last block's second word is dropped. No allocation per element.
 */
export function threefry2x32Fill(k: Key, out: Uint32Array, firstBlock = 0): Uint32Array {
  checkKey('threefry2x32Fill', k);
  checkCount('threefry2x32Fill', 'firstBlock', firstBlock);
  const k0 = k[0];
  const k1 = k[1];
  const pairs = out.length >>> 1;
  for (let j = 0; j < pairs; j++) {
    const ctr = firstBlock + j;
    hashBlock(k0, k1, (ctr / TWO_32) >>> 0, ctr >>> 0, out, 2 * j);
  }
  if ((out.length & 1) === 1) {
    const ctr = firstBlock + pairs;
    hashBlock(k0, k1, (ctr / TWO_32) >>> 0, ctr >>> 0, scratch, 0);
    out[out.length - 1] = scratch[0]!;
  }
  return out;
}

/**
 * Reads the key's word stream in order, for samplers that use a data-dependent number of words
 * (rejection sampling). Chunking does not change the values: word i is always stream word i.
 */
class WordStream {
  private words: Uint32Array;
  private pos = 0;
  private nextBlock: number;

  constructor(
    private readonly k: Key,
    expectedWords: number,
  ) {
    this.words = threefry2x32Fill(k, new Uint32Array(Math.max(2, expectedWords + (expectedWords & 1))));
    this.nextBlock = this.words.length / 2;
  }

  next(): number {
    if (this.pos === this.words.length) {
      // Rejections are rare, so later chunks are small; they are even so no word is skipped.
      this.words = threefry2x32Fill(this.k, new Uint32Array(1024), this.nextBlock);
      this.nextBlock += 512;
      this.pos = 0;
    }
    return this.words[this.pos++]!;
  }

  /** Unbiased integer in [0, range) for 1 ≤ range ≤ 2^32: reject words ≥ the largest multiple of range. */
  below(range: number): number {
    const limit = TWO_32 - (TWO_32 % range);
    let w = this.next();
    while (w >= limit) w = this.next();
    return w % range;
  }
}

// ---------------------------------------------------------------------------------------------
// Key derivation.

/** 32-bit FNV-1a over the UTF-8 bytes of `s` (offset basis 0x811c9dc5, prime 0x01000193). */
export function fnv1a32(s: string): number {
  let h = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(s)) h = Math.imul(h ^ byte, 0x01000193);
  return h >>> 0;
}

/**
 * A key derived from `key` and `data`: threefry(key, hi(data), lo(data)), as JAX's fold_in.
 * `data` is a non-negative safe integer (e.g. a step number), or a string, which is first hashed
 * with fnv1a32 — so foldIn(k, s) equals foldIn(k, fnv1a32(s)), and distinct strings can collide
 * (with probability about 2^-32 per pair).
 */
export function foldIn(k: Key, data: number | string): Key {
  checkKey('foldIn', k);
  let d: number;
  if (typeof data === 'string') d = fnv1a32(data);
  else if (typeof data === 'number' && Number.isSafeInteger(data) && data >= 0) d = data;
  else throw new Error(`foldIn: data must be a non-negative safe integer or a string, got ${fmt(data)}`);
  hashBlock(k[0], k[1], Math.floor(d / TWO_32), d >>> 0, scratch, 0);
  return makeKey(scratch[0]!, scratch[1]!);
}

/** `n` new keys; key i is foldIn(key, i), so split(k, n) is a prefix of split(k, m) for n ≤ m. */
export function split(k: Key, n = 2): Key[] {
  checkKey('split', k);
  checkCount('split', 'n', n);
  const words = threefry2x32Fill(k, new Uint32Array(2 * n));
  const keys: Key[] = new Array(n);
  for (let i = 0; i < n; i++) keys[i] = makeKey(words[2 * i]!, words[2 * i + 1]!);
  return keys;
}

// ---------------------------------------------------------------------------------------------
// Samplers.

/** The first `count` words of the key's stream. */
export function randomBits(k: Key, count: number): Uint32Array {
  checkKey('randomBits', k);
  return threefry2x32Fill(k, new Uint32Array(checkCount('randomBits', 'count', count)));
}

/** Uniform in [0, 1) with 53 random bits: 21 from the first word, 32 from the second. */
const unit53 = (hi: number, lo: number): number => ((hi >>> 11) * TWO_32 + lo) * TWO_NEG_53;

// Bit-level neighbours of floats, to clamp results that rounding pushed onto an excluded bound.
const f64 = new Float64Array(1);
const i64 = new BigInt64Array(f64.buffer);
const f32 = new Float32Array(1);
const i32 = new Int32Array(f32.buffer);

/** The largest double below x (x finite or +Infinity). */
function nextDown64(x: number): number {
  if (x === 0) return -Number.MIN_VALUE;
  f64[0] = x;
  i64[0]! += x > 0 ? -1n : 1n;
  return f64[0];
}

/** The float32 next to x (x a float32 value or ±Infinity) towards +Infinity (dir 1) or -Infinity (dir -1). */
function nextFloat32(x: number, dir: 1 | -1): number {
  if (x === 0) return dir * 2 ** -149;
  f32[0] = x;
  i32[0]! += x > 0 ? dir : -dir;
  return f32[0];
}

export interface UniformOptions {
  low?: number;
  high?: number;
  dtype?: 'float64' | 'float32';
}

/**
 * `count` values uniform in [low, high) (default [0, 1)).
 * float64: 53 bits from two words per value. float32: 24 bits from one word per value, computed
 * in float64 and rounded; results are clamped to the float32 values inside [low, high), so a value
 * that rounds up to `high` becomes the largest float32 below `high`.
 */
export function uniform(k: Key, count: number, opts: UniformOptions = {}): Float64Array | Float32Array {
  checkKey('uniform', k);
  checkCount('uniform', 'count', count);
  const low = checkFinite('uniform', 'low', opts.low ?? 0);
  const high = checkFinite('uniform', 'high', opts.high ?? 1);
  const dtype = opts.dtype ?? 'float64';
  if (!(low < high)) throw new Error(`uniform: need low < high, got low=${low}, high=${high}`);
  const width = high - low;
  if (!Number.isFinite(width)) throw new Error(`uniform: high - low overflows (low=${low}, high=${high})`);

  if (dtype === 'float64') {
    const bits = randomBits(k, 2 * count);
    const out = new Float64Array(count);
    const top = nextDown64(high);
    for (let i = 0; i < count; i++) out[i] = Math.min(low + width * unit53(bits[2 * i]!, bits[2 * i + 1]!), top);
    return out;
  }
  if (dtype === 'float32') {
    let lo32 = Math.fround(low);
    if (lo32 < low) lo32 = nextFloat32(lo32, 1);
    let hi32 = Math.fround(high);
    if (hi32 >= high) hi32 = nextFloat32(hi32, -1);
    if (lo32 > hi32) throw new Error(`uniform: no float32 value lies in [${low}, ${high})`);
    const bits = randomBits(k, count);
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++) {
      const v = Math.fround(low + width * ((bits[i]! >>> 8) * TWO_NEG_24));
      out[i] = v < lo32 ? lo32 : v > hi32 ? hi32 : v;
    }
    return out;
  }
  throw new Error(`uniform: dtype must be 'float64' or 'float32', got ${fmt(dtype)}`);
}

export interface NormalOptions {
  mean?: number;
  std?: number;
  dtype?: 'float64' | 'float32';
}

/**
 * `count` normal values (Box–Muller). Each pair of values uses four words: u1 in (0, 1] (so log is
 * finite) and u2 in [0, 1), both with 53 bits; z = sqrt(-2 ln u1)·(cos 2πu2, sin 2πu2). float32
 * results are the float64 ones rounded, so tails are as accurate as in float64.
 */
export function normal(k: Key, count: number, opts: NormalOptions = {}): Float64Array | Float32Array {
  checkKey('normal', k);
  checkCount('normal', 'count', count);
  const mean = checkFinite('normal', 'mean', opts.mean ?? 0);
  const std = checkFinite('normal', 'std', opts.std ?? 1);
  if (std < 0) throw new Error(`normal: std must be ≥ 0, got ${std}`);
  const dtype = opts.dtype ?? 'float64';
  if (dtype !== 'float64' && dtype !== 'float32') throw new Error(`normal: dtype must be 'float64' or 'float32', got ${fmt(dtype)}`);

  const pairs = Math.ceil(count / 2);
  const bits = randomBits(k, 4 * pairs);
  const out = dtype === 'float64' ? new Float64Array(count) : new Float32Array(count);
  for (let p = 0; p < pairs; p++) {
    const w = 4 * p;
    const u1 = ((bits[w]! >>> 11) * TWO_32 + bits[w + 1]! + 1) * TWO_NEG_53;
    const theta = 2 * Math.PI * unit53(bits[w + 2]!, bits[w + 3]!);
    const r = std * Math.sqrt(-2 * Math.log(u1));
    out[2 * p] = mean + r * Math.cos(theta);
    if (2 * p + 1 < count) out[2 * p + 1] = mean + r * Math.sin(theta);
  }
  return out;
}

/** `count` draws of 1 with probability p, else 0: value i is 1 iff word i < p·2^32 (resolution 2^-32). */
export function bernoulli(k: Key, p: number, count: number): Uint8Array {
  checkKey('bernoulli', k);
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new Error(`bernoulli: p must be a number in [0, 1], got ${fmt(p)}`);
  const bits = randomBits(k, checkCount('bernoulli', 'count', count));
  const threshold = p * TWO_32;
  const out = new Uint8Array(count);
  for (let i = 0; i < count; i++) out[i] = bits[i]! < threshold ? 1 : 0;
  return out;
}

const INT32_MIN = -(2 ** 31);
const INT32_LIMIT = 2 ** 31;

/**
 * `count` integers uniform in [low, high), exactly unbiased: each value takes the next stream word
 * below the largest multiple of (high - low) under 2^32 (fewer than one word in two is rejected).
 * Requires integers -2^31 ≤ low < high ≤ 2^31, so every int32 value can be drawn.
 */
export function randint(k: Key, low: number, high: number, count: number): Int32Array {
  checkKey('randint', k);
  const inRange = (x: number): boolean => typeof x === 'number' && Number.isInteger(x) && x >= INT32_MIN && x <= INT32_LIMIT;
  if (!inRange(low) || !inRange(high) || !(low < high)) {
    throw new Error(`randint: need integers -2^31 ≤ low < high ≤ 2^31, got low=${fmt(low)}, high=${fmt(high)}`);
  }
  checkCount('randint', 'count', count);
  const stream = new WordStream(k, count);
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) out[i] = low + stream.below(high - low);
  return out;
}

/** A permutation of 0..n-1 by Fisher–Yates: for i = n-1 down to 1, swap i with an unbiased j in [0, i]. */
export function permutation(k: Key, n: number): Int32Array {
  checkKey('permutation', k);
  checkCount('permutation', 'n', n);
  if (n > INT32_LIMIT) throw new Error(`permutation: n must be at most 2^31, got ${n}`);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  const stream = new WordStream(k, Math.max(n - 1, 0));
  for (let i = n - 1; i > 0; i--) {
    const j = stream.below(i + 1);
    const t = out[i]!;
    out[i] = out[j]!;
    out[j] = t;
  }
  return out;
}
