import { test } from 'node:test';
import assert from 'node:assert/strict';
import { key } from '../../tensor/prng.ts';
import { lyapunovExponents, lyapunovInit, lyapunovStep, positiveCount, projectedHessian } from './lyapunov.ts';
import { denseEigenpairs } from './spectrum.ts';
import { distance, lyapunovVectors, perturbFlat, perturbationDirection, productInit, productStep, DIRECTIONS } from './divergence.ts';
import { fitDivergence } from './fit.ts';
import { normals } from './rng.ts';

// A fixed symmetric H = Q diag(λ) Qᵀ with a random orthogonal Q (from eigh of a random symmetric matrix).
const n = 5;
const lam = [-2, -0.5, 0.3, 4, 25];
function fixedHessian(): Float64Array {
  const r = normals(key(11), n * n);
  const s = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) s[i * n + j] = r[i * n + j]! + r[j * n + i]!;
  const { vectors } = denseEigenpairs(s, n);
  const h = new Float64Array(n * n);
  for (let k = 0; k < n; k++) for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) h[i * n + j]! += lam[k]! * vectors[k * n + i]! * vectors[k * n + j]!;
  return h;
}
const H = fixedHessian();
const lr = 0.1;

test('Lyapunov exponents of a fixed symmetric linear map equal log|eig| (no overflow after 3000 steps)', () => {
  const want = lam.map((l) => Math.log(Math.abs(1 - lr * l))).sort((a, b) => b - a);
  // Diagonal H in decreasing-growth order: the frame is already aligned, so the result is exact.
  const order = [4, 0, 1, 2, 3];
  const diag = new Float64Array(n * n);
  order.forEach((k, i) => {
    diag[i * n + i] = lam[k]!;
  });
  let d = lyapunovInit(n);
  for (let t = 0; t < 3000; t++) d = lyapunovStep(d, diag, lr);
  // |1 − 2.5| = 1.5 grows like 1.5^3000 ≈ 1e528: Y_tᵀY_t would overflow float64; QR does not.
  want.forEach((w, i) => assert.ok(Math.abs(lyapunovExponents(d)[i]! - w) < 1e-12, `diagonal exponent ${i}`));
  // A rotated H: finite-time exponents converge like log(overlap of the start frame)/t.
  let s = lyapunovInit(n);
  for (let t = 0; t < 3000; t++) s = lyapunovStep(s, H, lr);
  const got = lyapunovExponents(s);
  want.forEach((w, i) => assert.ok(Math.abs(got[i]! - w) < 10 / 3000, `exponent ${i}: ${got[i]} vs ${w}`));
  assert.equal(positiveCount(got), 3); // λ = −2, −0.5 and 25 (> 2/η = 20) expand
});

test('momentum variant: exponents equal log|eig| of the 2n-dimensional map', () => {
  const mu = 0.5;
  let s = lyapunovInit(n, { momentum: mu });
  for (let t = 0; t < 2000; t++) s = lyapunovStep(s, H, lr);
  const got = lyapunovExponents(s);
  // Per eigenvalue λ the map on (dθ, db) is [[1 − ηλ, −ημ], [λ, μ]]: z² − (1 − ηλ + μ)z + μ = 0.
  const want = lam
    .flatMap((l) => {
      const tr = 1 - lr * l + mu,
        disc = tr * tr - 4 * mu;
      if (disc >= 0) return [Math.log(Math.abs((tr + Math.sqrt(disc)) / 2)), Math.log(Math.abs((tr - Math.sqrt(disc)) / 2))];
      return [0.5 * Math.log(mu), 0.5 * Math.log(mu)]; // complex pair: |z|² = μ
    })
    .sort((a, b) => b - a);
  want.forEach((w, i) => assert.ok(Math.abs(got[i]! - w) < 10 / 2000, `exponent ${i}: ${got[i]} vs ${w}`));
});

test('CGD projected Hessian: pruning the chaotic directions leaves no positive exponent', () => {
  const { values, vectors } = denseEigenpairs(H, n);
  const ph = projectedHessian(H, values, vectors, n, [0, 1, 4]);
  let s = lyapunovInit(n);
  for (let t = 0; t < 1000; t++) s = lyapunovStep(s, ph, lr);
  const e = lyapunovExponents(s);
  assert.equal(positiveCount(e, 1e-12), 0);
  // Pruned directions are neutral (factor 1); kept ones contract: log 0.97 and log 0.6.
  [0, 0, 0, Math.log(0.97), Math.log(0.6)].forEach((w, i) => assert.ok(Math.abs(e[i]! - w) < 10 / 1000, `${Array.from(e)}`));
});

test('Lyapunov vectors from the rescaled product: exponents and max-chaos direction', () => {
  let s = productInit(n);
  // 30 steps: σ_min/σ_max = (0.6/1.5)^30 ≈ 1e-12 is still resolved in float64 (see divergence.ts).
  for (let t = 0; t < 30; t++) s = productStep(s, H, lr);
  const lv = lyapunovVectors(s);
  const want = lam.map((l) => Math.log(Math.abs(1 - lr * l))).sort((a, b) => b - a);
  want.forEach((w, i) => assert.ok(Math.abs(lv.exponents[i]! - w) < 1e-6, `product exponent ${i}: ${lv.exponents[i]} vs ${w}`));
  // max-chaos is the λ = 25 eigenvector (|1 − 2.5| is the largest factor): H v = 25 v.
  const v = perturbationDirection('max-chaos', lv, key(0));
  const hv = Array.from({ length: n }, (_, i) => v.reduce((acc, x, j) => acc + H[i * n + j]! * x, 0));
  hv.forEach((x, i) => assert.ok(Math.abs(x - 25 * v[i]!) < 1e-8));
  for (const kind of DIRECTIONS) {
    const d = perturbationDirection(kind, lv, key(1));
    assert.ok(Math.abs(Math.hypot(...d) - 1) < 1e-12, kind);
  }
});

test('perturbation is ε relative to the whole flattened parameter vector; ε ≤ 0 is an error', () => {
  const theta = Float64Array.from([3, 4, 0]);
  const p = perturbFlat(theta, Float64Array.from([0, 0, 7]), 0.1);
  assert.ok(Math.abs(distance(p, theta) - 0.5) < 1e-15); // 0.1·‖θ‖ = 0.1·5
  assert.throws(() => perturbFlat(theta, Float64Array.from([0, 0, 1]), 0), /ε must be a finite number > 0, got 0/);
  assert.throws(() => perturbFlat(theta, Float64Array.from([0, 0, 1]), -1e-3), /ε must be a finite number > 0/);
  assert.throws(() => lyapunovStep(lyapunovInit(2), Float64Array.from([1, NaN, NaN, 1]), 0.1), /non-finite probe/);
});

test('the fit recovers a, b from synthetic curves d² = a·t + b·t² + d₀²', () => {
  const a = 3e-4,
    b = 2e-7,
    d0 = 0.1;
  const t = Array.from({ length: 200 }, (_, i) => 10 * i);
  const exact = fitDivergence(
    t,
    t.map((x) => Math.sqrt(a * x + b * x * x + d0 * d0)),
    d0,
  );
  assert.ok(Math.abs(exact.a - a) < 1e-12 && Math.abs(exact.b - b) < 1e-15 && exact.r2 > 1 - 1e-12, JSON.stringify(exact));
  // With 1% multiplicative noise the estimates stay within 10% and R² > 0.95.
  const noise = normals(key(5), t.length);
  const noisy = fitDivergence(
    t,
    t.map((x, i) => Math.sqrt(a * x + b * x * x + d0 * d0) * (1 + 0.01 * noise[i]!)),
    d0,
  );
  assert.ok(Math.abs(noisy.a / a - 1) < 0.1 && Math.abs(noisy.b / b - 1) < 0.1 && noisy.r2 > 0.95, JSON.stringify(noisy));
  assert.throws(() => fitDivergence([1, 2], [1, 2], 0), /at least 3 points/);
});
