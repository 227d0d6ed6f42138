import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as random from '../../tensor/random.ts';
import { autocorrelation, effectiveSampleSize, integratedAutocorrTime, seedDisagreement } from './diagnostics.ts';
import { fitLine, logLogSlope } from './fit.ts';

/** AR(1) x_t = φx_{t−1} + ε_t: ρ(t) = φ^t and τ = (1 + φ)/(1 − φ). */
function ar1(phi: number, n: number, seed: number): Float64Array {
  const e = random.normal(random.key(seed), [n]).data as Float64Array;
  const x = new Float64Array(n);
  for (let i = 1; i < n; i++) x[i] = phi * x[i - 1]! + e[i]!;
  return x;
}

test('autocorrelation and τ of an AR(1) trace match (1 + φ)/(1 − φ); white noise has ESS ≈ N', () => {
  const x = ar1(0.8, 40_000, 1);
  const rho = autocorrelation(x, 3);
  assert.ok(Math.abs(rho[1]! - 0.8) < 0.02 && Math.abs(rho[2]! - 0.64) < 0.03, `ρ = ${Array.from(rho)}`);
  const tau = integratedAutocorrTime(x);
  assert.ok(Math.abs(tau / 9 - 1) < 0.15, `τ = ${tau}, want 9`);
  const white = random.normal(random.key(2), [20_000]).data as Float64Array;
  assert.ok(effectiveSampleSize(white) > 0.8 * 20_000, `ESS ${effectiveSampleSize(white)}`);
  assert.ok(effectiveSampleSize(x) < 0.15 * 40_000);
  assert.deepEqual(Array.from(autocorrelation([2, 2, 2])), [1, 0, 0]);
  assert.throws(() => autocorrelation([1]), /at least 2 values/);
});

test('seed disagreement: 0 for identical functions, ~1 when seeds disagree as much as the function varies', () => {
  const f = Array.from({ length: 200 }, (_, i) => Math.sin(i / 10));
  assert.ok(seedDisagreement([f, f, f]) < 1e-25, 'identical seeds agree up to rounding');
  const noise = (s: number) => Array.from(random.normal(random.key(s), [200]).data as Float64Array);
  const d = seedDisagreement([noise(1), noise(2), noise(3), noise(4)]);
  assert.ok(d > 2, `independent noise: within/between = ${d}`); // between-variance of a 4-seed mean is ~1/4 of within
  assert.throws(() => seedDisagreement([f]), /≥ 2 seeds/);
});

test('line fits: exact power law and log-linear data', () => {
  const ns = [100, 200, 400, 800];
  const pow = logLogSlope(
    ns,
    ns.map((n) => 3 * n ** -0.75),
  );
  assert.ok(Math.abs(pow.slope + 0.75) < 1e-12 && Math.abs(pow.r2 - 1) < 1e-12);
  const lin = fitLine(
    ns,
    ns.map((n) => 1 - 0.01 * n),
  );
  assert.ok(Math.abs(lin.slope + 0.01) < 1e-12);
  assert.ok(Number.isNaN(logLogSlope([1, 2], [0, 1]).slope), 'a non-positive value is dropped, leaving too few points');
});
