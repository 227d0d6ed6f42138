import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  bernoulli,
  fnv1a32,
  foldIn,
  isKey,
  key,
  keyFromData,
  normal,
  permutation,
  randint,
  randomBits,
  split,
  threefry2x32,
  threefry2x32Fill,
  uniform,
  type Key,
} from './prng.ts';

const N = 100_000;

const mean = (xs: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i]!;
  return s / xs.length;
};

const variance = (xs: ArrayLike<number>): number => {
  const m = mean(xs);
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += (xs[i]! - m) ** 2;
  return s / (xs.length - 1);
};

function correlation(xs: ArrayLike<number>, ys: ArrayLike<number>): number {
  const mx = mean(xs);
  const my = mean(ys);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < xs.length; i++) {
    sxy += (xs[i]! - mx) * (ys[i]! - my);
    sxx += (xs[i]! - mx) ** 2;
    syy += (ys[i]! - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}

/** Pearson chi-square statistic of bin counts against equal expected counts. */
function chiSquare(counts: ArrayLike<number>, total: number): number {
  const expected = total / counts.length;
  let chi = 0;
  for (let i = 0; i < counts.length; i++) chi += (counts[i]! - expected) ** 2 / expected;
  return chi;
}

// Upper 0.1% points of the chi-square distribution (outputs are deterministic, so these never flake).
const CHI2_999 = { df9: 27.88, df19: 43.82 };

test('threefry2x32 matches the Random123 known-answer vectors for Threefry-2x32-20', () => {
  assert.deepEqual(threefry2x32(keyFromData([0, 0]), 0, 0), [0x6b200159, 0x99ba4efe]);
  assert.deepEqual(threefry2x32(keyFromData([0xffffffff, 0xffffffff]), 0xffffffff, 0xffffffff), [0x1cb996fc, 0xbb002be7]);
  assert.deepEqual(threefry2x32(keyFromData([0x13198a2e, 0x03707344]), 0x243f6a88, 0x85a308d3), [0xc4923a9c, 0x483df7a0]);
});

test('threefry2x32 reproduces JAX: legacy split(PRNGKey(0)) hashes counters (0, 2) and (1, 3)', () => {
  // jax.random.split(PRNGKey(0)) with jax_threefry_partitionable=False is
  // [[4146024105, 967050713], [2718843009, 1272950319]]: the first words of both blocks, then the second words.
  const a = threefry2x32(key(0), 0, 2);
  const b = threefry2x32(key(0), 1, 3);
  assert.deepEqual(
    [
      [a[0], b[0]],
      [a[1], b[1]],
    ],
    [
      [4146024105, 967050713],
      [2718843009, 1272950319],
    ],
  );
});

test('threefry2x32Fill agrees with threefry2x32 block by block, including odd lengths, offsets and hi counter words', () => {
  const k = key(7);
  const out = threefry2x32Fill(k, new Uint32Array(7));
  for (let j = 0; j < 4; j++) {
    const [w0, w1] = threefry2x32(k, 0, j);
    assert.equal(out[2 * j], w0);
    if (2 * j + 1 < out.length) assert.equal(out[2 * j + 1], w1);
  }
  assert.deepEqual(threefry2x32Fill(k, new Uint32Array(4), 2), threefry2x32Fill(k, new Uint32Array(8)).slice(4));
  assert.deepEqual(Array.from(threefry2x32Fill(k, new Uint32Array(2), 2 ** 32 + 3)), threefry2x32(k, 1, 3));
});

test('key: high and low 32 bits of the seed; plain JSON data that round-trips through keyFromData', () => {
  assert.deepEqual(key(0), [0, 0]);
  assert.deepEqual(key(42), [0, 42]);
  assert.deepEqual(key(2 ** 32 + 5), [1, 5]);
  assert.deepEqual(key(Number.MAX_SAFE_INTEGER), [2 ** 21 - 1, 2 ** 32 - 1]);
  const k = split(key(3))[1]!;
  const back = keyFromData(JSON.parse(JSON.stringify(k)));
  assert.ok(isKey(back));
  assert.deepEqual(back, k);
  assert.deepEqual(uniform(back, 5), uniform(k, 5));
  assert.ok(Object.isFrozen(k));
  assert.ok(isKey([0, 2 ** 32 - 1]));
  for (const bad of [[1], [1, 2, 3], [1, 2 ** 32], [-1, 0], [0.5, 0], ['1', 2], null, 'key', { 0: 1, 1: 2, length: 2 }]) {
    assert.equal(isKey(bad), false, JSON.stringify(bad));
    assert.throws(() => keyFromData(bad), /keyFromData: expected an array of two integers in \[0, 2\^32\)/);
  }
});

test('golden values for key(0) and key(42) are frozen', () => {
  const k0 = key(0);
  assert.deepEqual(Array.from(randomBits(k0, 4)), [1797259609, 2579123966, 928981903, 3453687069]);
  assert.deepEqual(Array.from(uniform(k0, 4)), [0.41845731759028104, 0.2162956257458607, 0.9653213658475722, 0.5745005103008152]);
  assert.deepEqual(Array.from(uniform(k0, 4, { dtype: 'float32' })), [0.4184570908546448, 0.6004990339279175, 0.21629542112350464, 0.8041241765022278]);
  assert.deepEqual(Array.from(normal(k0, 3)), [0.27744965325796095, 1.2904969804218425, -0.23710428760686894]);
  assert.deepEqual(Array.from(randint(k0, -5, 10, 8)), [-1, 6, 8, 4, -5, 4, -2, -2]);
  assert.deepEqual(Array.from(permutation(k0, 10)), [2, 1, 6, 8, 4, 3, 0, 7, 5, 9]);
  assert.deepEqual(Array.from(bernoulli(k0, 0.5, 8)), [1, 0, 1, 0, 0, 0, 0, 0]);
  assert.deepEqual(foldIn(k0, 7), [2716826189, 292468403]);
  assert.deepEqual(foldIn(k0, 'layer1'), [2973869058, 436437563]);

  const k42 = key(42);
  assert.deepEqual(split(k42), [
    [1832780943, 270669613],
    [64467757, 2916123636],
  ]);
  assert.deepEqual(Array.from(uniform(k42, 4)), [0.42672732497223864, 0.015010203820678303, 0.5741443917566208, 0.7298189202240498]);
  assert.deepEqual(Array.from(uniform(k42, 4, { dtype: 'float32' })), [0.4267275333404541, 0.06302016973495483, 0.015010058879852295, 0.6789628863334656]);
  assert.deepEqual(Array.from(normal(k42, 3)), [1.2992749062638496, 0.12290168358757737, -0.1332208379845268]);
  assert.deepEqual(Array.from(randint(k42, -5, 10, 8)), [-2, 8, 2, 1, -2, 2, -1, 1]);
  assert.deepEqual(Array.from(permutation(k42, 10)), [9, 1, 7, 8, 2, 0, 6, 5, 4, 3]);
});

test('same key gives identical arrays; shorter requests are prefixes of longer ones', () => {
  const k = key(5);
  assert.deepEqual(normal(k, 1001), normal(k, 1001));
  assert.deepEqual(randomBits(k, 5), randomBits(k, 10).slice(0, 5));
  assert.deepEqual(uniform(k, 3), uniform(k, 8).slice(0, 3));
  assert.deepEqual(normal(k, 3), normal(k, 4).slice(0, 3));
  assert.deepEqual(randint(k, 0, 3, 10), randint(k, 0, 3, 20).slice(0, 10));
});

test('split: keys differ from each other and from the parent, are prefix-stable, and key i is foldIn(key, i)', () => {
  const parent = key(1);
  const keys = split(parent, 1000);
  const seen = new Set(keys.map((k) => k.join(',')));
  seen.add(parent.join(','));
  assert.equal(seen.size, 1001);
  assert.deepEqual(split(parent, 3), keys.slice(0, 3));
  assert.deepEqual(keys[17], foldIn(parent, 17));
  assert.deepEqual(split(parent, 0), []);
  assert.equal(split(parent).length, 2);
  assert.ok(keys.every(isKey));
});

test('foldIn: different data give different keys; strings are hashed with FNV-1a (UTF-8)', () => {
  const k = key(9);
  const keys = new Set<string>();
  for (let d = 0; d < 1000; d++) keys.add(foldIn(k, d).join(','));
  for (const s of ['', 'a', 'b', 'ab', 'ba', 'weight', 'bias', 'é', '🙂']) keys.add(foldIn(k, s).join(','));
  assert.equal(keys.size, 1009);
  assert.notDeepEqual(foldIn(k, 2 ** 32), foldIn(k, 0), 'the high word of data is used');
  assert.notDeepEqual(foldIn(key(10), 3), foldIn(k, 3));
  // Published FNV-1a 32-bit vectors.
  assert.equal(fnv1a32(''), 0x811c9dc5);
  assert.equal(fnv1a32('a'), 0xe40c292c);
  assert.equal(fnv1a32('foobar'), 0xbf9cf968);
  assert.deepEqual(foldIn(k, 'weight'), foldIn(k, fnv1a32('weight')));
});

test('normal streams from split keys are uncorrelated', () => {
  const [a, b] = split(key(11)) as [Key, Key];
  const r = correlation(normal(a, N), normal(b, N));
  assert.ok(Math.abs(r) < 4 / Math.sqrt(N), `r = ${r}`);
  // Neighbouring values within one stream (the cos/sin pair of Box–Muller) are uncorrelated too.
  const z = normal(a, N);
  const r1 = correlation(z.subarray(0, N - 1), z.subarray(1));
  assert.ok(Math.abs(r1) < 4 / Math.sqrt(N), `lag-1 r = ${r1}`);
});

test('uniform: values in [0, 1), chi-square over 20 bins, mean; custom bounds', () => {
  for (const dtype of ['float64', 'float32'] as const) {
    const u = uniform(key(12), N, { dtype });
    assert.ok(dtype === 'float64' ? u instanceof Float64Array : u instanceof Float32Array);
    const counts = new Array<number>(20).fill(0);
    for (const x of u) {
      assert.ok(x >= 0 && x < 1, `${x}`);
      counts[Math.floor(x * 20)]!++;
    }
    const chi = chiSquare(counts, N);
    assert.ok(chi < CHI2_999.df19, `${dtype}: chi-square ${chi}`);
    assert.ok(Math.abs(mean(u) - 0.5) < 4 * Math.sqrt(1 / 12 / N));
  }
  const v = uniform(key(13), 1000, { low: -3, high: 5 });
  assert.ok(v.every((x) => x >= -3 && x < 5));
  assert.ok(Math.min(...v) < -2.9 && Math.max(...v) > 4.9);
});

test('uniform never returns high, even where rounding would land on it', () => {
  // float32: the ulp at 1e6 is 1/16, so about 3% of 1e6 + u would round up to 1e6 + 1.
  const a = uniform(key(14), 10_000, { low: 1e6, high: 1e6 + 1, dtype: 'float32' });
  assert.ok(a.every((x) => x >= 1e6 && x < 1e6 + 1));
  assert.ok(a.some((x) => x === 1e6 + 0.9375));
  // float32: high = 0.1 is not a float32 and fround(0.1) > 0.1, so values must stay below fround(0.1).
  const b = uniform(key(15), 10_000, { low: 0.1 - 2 ** -26, high: 0.1, dtype: 'float32' });
  assert.ok(b.every((x) => x < 0.1 && x >= 0.1 - 2 ** -26));
  // float64: the doubles near 2^52 are integers, so 2^52 + u rounds to 2^52 + 1 for u > 1/2.
  const c = uniform(key(16), 1000, { low: 2 ** 52, high: 2 ** 52 + 1 });
  assert.ok(c.every((x) => x === 2 ** 52));
  assert.throws(() => uniform(key(0), 1, { low: 0.1, high: 0.1 + 1e-12, dtype: 'float32' }), /uniform: no float32 value lies in/);
});

test('normal: mean within 4σ/√n, variance near 1; mean/std options; float32 is the rounded float64', () => {
  const z = normal(key(17), N);
  assert.ok(Math.abs(mean(z)) < 4 / Math.sqrt(N), `mean ${mean(z)}`);
  // The sample variance of n standard normals has standard deviation √(2/n).
  assert.ok(Math.abs(variance(z) - 1) < 4 * Math.sqrt(2 / N), `variance ${variance(z)}`);
  assert.ok(z.every(Number.isFinite));

  const w = normal(key(17), N, { mean: 3, std: 0.5 });
  assert.ok(Math.abs(mean(w) - 3) < (4 * 0.5) / Math.sqrt(N));
  assert.ok(Math.abs(variance(w) - 0.25) < 4 * 0.25 * Math.sqrt(2 / N));

  const z32 = normal(key(17), 101, { dtype: 'float32' });
  assert.ok(z32 instanceof Float32Array);
  assert.deepEqual(z32, Float32Array.from(z.subarray(0, 101)));
  assert.deepEqual(Array.from(normal(key(1), 3, { mean: 2, std: 0 })), [2, 2, 2]);
});

test('bernoulli: frequency matches p; p = 0 and p = 1 are exact', () => {
  const p = 0.3;
  const b = bernoulli(key(18), p, N);
  assert.ok(b instanceof Uint8Array);
  const f = mean(b);
  assert.ok(Math.abs(f - p) < 4 * Math.sqrt((p * (1 - p)) / N), `frequency ${f}`);
  assert.ok(bernoulli(key(18), 0, 1000).every((x) => x === 0));
  assert.ok(bernoulli(key(18), 1, 1000).every((x) => x === 1));
});

test('randint: within [low, high), roughly uniform; full int32 range; single value', () => {
  const r = randint(key(19), -3, 7, N);
  const counts = new Array<number>(10).fill(0);
  for (const x of r) {
    assert.ok(x >= -3 && x < 7);
    counts[x + 3]!++;
  }
  assert.ok(chiSquare(counts, N) < CHI2_999.df9, `chi-square ${chiSquare(counts, N)}`);

  // A range of 3·2^30 rejects a quarter of the words, exercising the stream refills.
  const big = randint(key(20), -(2 ** 31), 2 ** 30, 10_000);
  assert.ok(big.every((x) => x >= -(2 ** 31) && x < 2 ** 30));
  assert.ok(Math.abs(mean(big) / 2 ** 31 + 0.25) < 0.02);

  const full = randint(key(21), -(2 ** 31), 2 ** 31, 1000);
  assert.ok(full.some((x) => x < 0) && full.some((x) => x > 0));
  assert.ok(randint(key(22), 5, 6, 100).every((x) => x === 5));
});

test('permutation: a permutation of 0..n-1 that depends on the key', () => {
  for (const n of [0, 1, 2, 10, 1000]) {
    const p = permutation(key(23), n);
    assert.deepEqual(
      Array.from(p).sort((a, b) => a - b),
      Array.from({ length: n }, (_, i) => i),
    );
  }
  assert.notDeepEqual(permutation(key(23), 50), permutation(key(24), 50));
  // Each element is equally likely in each position: the first entry over many keys.
  const counts = new Array<number>(10).fill(0);
  for (const k of split(key(25), 5000)) counts[permutation(k, 10)[0]!]!++;
  assert.ok(chiSquare(counts, 5000) < CHI2_999.df9);
});

test('bad inputs throw clear errors naming the function and the value', () => {
  const k = key(0);
  for (const seed of [1.5, -1, NaN, Infinity, 2 ** 53]) assert.throws(() => key(seed), /key: seed must be a non-negative safe integer/);
  assert.throws(() => uniform(k, -1), /uniform: count must be a non-negative integer, got -1/);
  assert.throws(() => normal(k, 1.5), /normal: count must be a non-negative integer, got 1\.5/);
  assert.throws(() => randomBits(k, NaN), /randomBits: count must be a non-negative integer, got NaN/);
  assert.throws(() => bernoulli(k, 0.5, -2), /bernoulli: count must be a non-negative integer, got -2/);
  assert.throws(() => randint(k, 0, 5, 2.5), /randint: count must be a non-negative integer, got 2\.5/);
  assert.throws(() => permutation(k, -3), /permutation: n must be a non-negative integer, got -3/);
  assert.throws(() => split(k, 1.5), /split: n must be a non-negative integer, got 1\.5/);
  assert.throws(() => bernoulli(k, 1.5, 3), /bernoulli: p must be a number in \[0, 1\], got 1\.5/);
  assert.throws(() => bernoulli(k, NaN, 3), /bernoulli: p must be a number in \[0, 1\], got NaN/);
  assert.throws(() => randint(k, 5, 5, 3), /randint: need integers -2\^31 ≤ low < high ≤ 2\^31, got low=5, high=5/);
  assert.throws(() => randint(k, 0, 2 ** 31 + 1, 3), /randint: need integers/);
  assert.throws(() => randint(k, 0.5, 3, 3), /randint: need integers/);
  assert.throws(() => uniform(k, 3, { low: 1, high: 1 }), /uniform: need low < high, got low=1, high=1/);
  assert.throws(() => uniform(k, 3, { high: NaN }), /uniform: high must be a finite number, got NaN/);
  assert.throws(() => uniform(k, 3, { low: -1e308, high: 1e308 }), /uniform: high - low overflows/);
  assert.throws(() => normal(k, 3, { std: -1 }), /normal: std must be ≥ 0, got -1/);
  assert.throws(() => foldIn(k, -1), /foldIn: data must be a non-negative safe integer or a string, got -1/);
  assert.throws(() => foldIn(k, 1.5), /foldIn: data must be a non-negative safe integer or a string, got 1\.5/);
  assert.throws(() => threefry2x32(k, 2 ** 32, 0), /threefry2x32: counter words must be integers in \[0, 2\^32\)/);
  assert.throws(() => uniform([1, -2] as unknown as Key, 3), /uniform: expected a key/);
  assert.throws(() => split('seed' as unknown as Key), /split: expected a key/);
});
