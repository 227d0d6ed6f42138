/**
 * The native addon's svd_f64 (LAPACK dgesdd) called raw: layout in both orientations against the
 * js reference, and the C side's own argument checks (no out-of-bounds read whatever JS passes).
 * Skipped when the optional addon is not built.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { NATIVE_PATH, loadNativeAddon } from './native.ts';
import { canonicalSvdSigns } from './kernels.ts';
import { jsKernels } from './js.ts';
import { lcg, randomArray } from '../../test/support/test-data.ts';

const skip = existsSync(NATIVE_PATH) ? false : `native addon not built (${NATIVE_PATH})`;

test('svd_f64: tall, wide and square layouts match the js reference; singular values descending', { skip }, () => {
  const addon = loadNativeAddon();
  for (const [m, n] of [
    [9, 4],
    [4, 9],
    [6, 6],
    [1, 3],
    [3, 1],
  ] as const) {
    const a = randomArray('float64', m * n, lcg(m * 17 + n)) as Float64Array;
    const raw = addon.svd_f64(a, m, n);
    for (let i = 1; i < raw.s.length; i++) assert.ok(raw.s[i - 1]! >= raw.s[i]!, `${m}×${n} descending`);
    const got = canonicalSvdSigns(raw, m, n);
    const want = canonicalSvdSigns(jsKernels.svd(a, m, n), m, n);
    for (const key of ['u', 's', 'v'] as const) {
      for (let i = 0; i < want[key].length; i++) assert.ok(Math.abs(got[key][i]! - want[key][i]!) < 1e-12, `${m}×${n} ${key}[${i}]`);
    }
  }
});

test('svd_f64: argument errors are JS exceptions', { skip }, () => {
  const addon = loadNativeAddon();
  assert.throws(() => addon.svd_f64(new Float64Array(5), 2, 3), /svd_f64: a has length 5, expected 6 \(m=2, n=3\)/);
  assert.throws(() => addon.svd_f64(Float64Array.of(1, NaN), 1, 2), /svd_f64: a contains a non-finite value \(NaN\) at index 1/);
  assert.throws(() => addon.svd_f64(new Float32Array(4) as unknown as Float64Array, 2, 2), /svd_f64: a must be a Float64Array, got a Float32Array/);
  assert.throws(() => addon.svd_f64(new Float64Array(4), 2, -1), /svd_f64: n must be an integer in \[0, 16000\], got -1/);
  assert.throws(() => (addon.svd_f64 as unknown as (...x: unknown[]) => void)(new Float64Array(4), 2), /svd_f64: expected 3 arguments \(a, m, n\), got 2/);
  const empty = addon.svd_f64(new Float64Array(0), 0, 5);
  assert.deepEqual([empty.u.length, empty.s.length, empty.v.length], [0, 0, 0]);
});
