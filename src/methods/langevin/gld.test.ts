import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor, zeros } from '../../tensor/tensor.ts';
import { mul, sum } from '../../tensor/ops.ts';
import * as random from '../../tensor/random.ts';
import { applyUpdates } from '../../optim/chain.ts';
import type { GradientTransformation } from '../../optim/transform.ts';
import { gld, implicitFactors } from './gld.ts';
import { explicitGld } from './optimizers.ts';
import { eigenDecay } from './spectrum.ts';
import { twoLayerNet } from './model.ts';
import { runChain } from './chain.ts';

/** Runs `steps` updates with zero data gradient on params {w: [replicas, M]} and returns the final w. */
function runPrior(opt: GradientTransformation<any>, replicas: number, M: number, steps: number): Float64Array {
  let params = { w: zeros([replicas, M]) };
  let state = opt.init(params);
  const g = { w: zeros([replicas, M]) };
  for (let k = 0; k < steps; k++) {
    const [u, s] = opt.update(g, state, { params, step: k, key: random.foldIn(random.key(7), k) });
    params = applyUpdates(params, u) as typeof params;
    state = s;
  }
  return params.w.data as Float64Array;
}

const columnVariance = (w: Float64Array, replicas: number, M: number, m: number): number => {
  let s = 0;
  for (let r = 0; r < replicas; r++) s += w[r * M + m]! ** 2; // stationary mean is 0
  return s / replicas;
};

test('no data term: stationary variance per coordinate is the Gibbs prediction μ_m/(λβ) (and the exact discrete value)', () => {
  const M = 6,
    R = 4000,
    lambda = 1,
    beta = 2,
    eta = 0.01;
  const mu = eigenDecay(M, 2);
  const w = runPrior(gld(eta, { beta, lambda, mu }), R, M, 1000); // relaxation of m = 1: μ_1/(ηλ) = 100 steps
  const tol = 4 * Math.sqrt(2 / R); // 4 standard errors of a variance estimate
  for (let m = 0; m < M; m++) {
    const c = (eta * lambda) / mu[m]!;
    const gibbs = mu[m]! / (lambda * beta);
    const discrete = gibbs * (2 / (2 + c)); // s²σ²/(1 − s²) of the semi-implicit map
    const v = columnVariance(w, R, M, m);
    assert.ok(Math.abs(v / discrete - 1) < tol, `m=${m + 1}: variance ${v} vs discrete ${discrete}`);
    if (c <= 0.05) assert.ok(Math.abs(v / gibbs - 1) < tol, `m=${m + 1}: variance ${v} vs Gibbs μ/(λβ) = ${gibbs}`);
  }
  // The discretisation bias is real and resolved: at m = 6 (c = 0.36) the variance is 15 % below μ/(λβ).
  const v6 = columnVariance(w, R, M, 5);
  assert.ok(v6 / (mu[5]! / (lambda * beta)) < 1 - tol, `m=6 should show the 2/(2+c) factor, got ratio ${v6 / (mu[5]! / (lambda * beta))}`);
});

test('stable at a step size where explicit Euler diverges (η = 25·μ_M/λ)', () => {
  const M = 50,
    lambda = 1,
    beta = 100,
    eta = 0.01;
  const mu = eigenDecay(M, 2);
  assert.ok(eta > (2 * mu[M - 1]!) / lambda, "η is beyond explicit Euler's stability bound 2μ_M/λ");
  const net = twoLayerNet({ inputDim: 2, width: M });
  const zeroLoss = (out: Tensor) => mul(sum(out), 0); // no data term: only the prior acts
  const common = {
    model: net,
    loss: zeroLoss,
    train: { x: zeros([4, 2]), y: zeros([4]) },
    test: zeros([1, 2]),
    init: net.init(random.key(1)),
    steps: 400,
    key: random.key(2),
  };
  const explicit = runChain({ ...common, optimizer: explicitGld({ lr: eta, beta, lambda, mu }) });
  assert.ok(explicit.stoppedAt, 'explicit Euler should blow up and be stopped by the guard');
  assert.ok(explicit.stoppedAt!.step < 400);
  // The last good state is kept: finite parameters, the step before the failure.
  assert.equal(explicit.state.step, explicit.stoppedAt!.step);
  for (const t of [explicit.state.params.w, explicit.state.params.v]) assert.ok((t.data as Float64Array).every(Number.isFinite));
  const semi = runChain({ ...common, optimizer: gld(eta, { beta, lambda, mu }) });
  assert.equal(semi.stoppedAt, undefined);
  assert.equal(semi.state.step, 400);
  const v = semi.state.params.v.data as Float64Array;
  // The stiffest coordinate stays at its prior scale (std ≈ √(μ_M/(λβ)) = 2e-3), nowhere near blowing up.
  assert.ok(Math.abs(v[M - 1]!) < 10 * Math.sqrt(mu[M - 1]! / (lambda * beta)), `v_M = ${v[M - 1]}`);
});

test('the same key gives the same chain; another key another chain', () => {
  const mu = eigenDecay(3, 2);
  const run = (seed: number) => runPrior(gld(0.05, { beta: 10, lambda: 0.5, mu, key: random.key(seed) }), 4, 3, 20);
  assert.deepEqual(run(3), run(3));
  assert.notDeepEqual(run(3), run(4));
});

test('implicit factors s_m = 1/(1 + ηλ/μ_m); β = ∞ is the noise-free proximal step', () => {
  const mu = eigenDecay(3, 2);
  const s = implicitFactors(0.1, 2, mu);
  [1 / 1.2, 1 / (1 + 0.2 * 4), 1 / (1 + 0.2 * 9)].forEach((want, i) => assert.ok(Math.abs(s[i]! - want) < 1e-15, `s_${i + 1} = ${s[i]}, want ${want}`));
  const opt = gld(0.1, { beta: Infinity, lambda: 2, mu });
  const params = { w: new Tensor(new Float64Array([1, 1, 1]), [3]) };
  const g = { w: new Tensor(new Float64Array([1, 2, 3]), [3]) };
  const [u] = opt.update(g, opt.init(params), { params, step: 0 });
  const next = (applyUpdates(params, u) as typeof params).w.data as Float64Array;
  [0.9, 0.8, 0.7].forEach((d, i) => assert.ok(Math.abs(next[i]! - s[i]! * d) < 1e-15));
});

test('bad input: β ≤ 0, λ < 0, η ≤ 0, M = 0 are clear errors; a missing key is an error', () => {
  const mu = eigenDecay(2, 2);
  assert.throws(() => gld(0.1, { beta: 0, lambda: 1, mu }), /inverse temperature β must be a number > 0, got 0/);
  assert.throws(() => gld(0.1, { beta: -1, lambda: 1, mu }), /β must be a number > 0, got -1/);
  assert.throws(() => gld(0.1, { beta: 1, lambda: -0.1, mu }), /prior strength λ must be a finite number ≥ 0, got -0.1/);
  assert.throws(() => gld(0, { beta: 1, lambda: 1, mu }), /step size η must be a finite number > 0, got 0/);
  assert.throws(() => gld(-1, { beta: 1, lambda: 1, mu }), /step size η must be a finite number > 0, got -1/);
  assert.throws(() => gld(0.1, { beta: 1, lambda: 1, mu: [] }), /width M = 0 is not a model/);
  assert.throws(() => twoLayerNet({ inputDim: 2, width: 0 }), /width M must be an integer ≥ 1, got 0/);
  assert.throws(() => eigenDecay(3, 1), /p must be a finite number > 1/);
  const opt = gld(0.1, { beta: 1, lambda: 1, mu });
  const params = { w: zeros([2]) };
  assert.throws(() => opt.update(params, {}, { params, step: 0 }), /needs a random key/);
  assert.throws(
    () => opt.update({ w: zeros([3]) }, {}, { params: { w: zeros([3]) }, step: 0, key: random.key(0) }),
    /neuron index \(length M = 2\) as its last axis/,
  );
});
