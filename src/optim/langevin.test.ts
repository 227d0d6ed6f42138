/**
 * SGLD's stationary law on L(θ) = h·θ²/2: θ ← (1 − ηh)θ + √(2η/β)ξ is an AR(1) chain whose
 * stationary variance is (2η/β)/(1 − (1−ηh)²) = 1/(βh·(1 − ηh/2)) → 1/(βh) as η → 0.
 * 2000 independent copies of the 1-D problem run side by side (one [2000] parameter), so the
 * variance estimate is tight with few steps.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor, zeros } from '../tensor/tensor.ts';
import { mul } from '../tensor/ops.ts';
import * as random from '../tensor/random.ts';
import { applyUpdates, langevin } from './index.ts';

test('langevin: stationary variance of SGLD on h·θ²/2 is 1/(βh) (up to the O(ηh) discretisation bias)', () => {
  const [h, beta, eta] = [2, 5, 0.02];
  const chains = 2000;
  const t = langevin(eta, { beta });
  const runKey = random.key(42);
  let theta: Tensor = zeros([chains]);
  let state = t.init(theta);
  let sum2 = 0;
  let sum1 = 0;
  let count = 0;
  const burnIn = 300; // (1 − ηh)^300 ≈ 6e-6
  for (let step = 0; step < burnIn + 600; step++) {
    const grad = mul(theta, h);
    const [u, s] = t.update(grad, state, { params: theta, step, key: random.foldIn(runKey, step) });
    theta = applyUpdates(theta, u) as Tensor;
    state = s;
    if (step >= burnIn) {
      for (const v of theta.data) {
        sum2 += v * v;
        sum1 += v;
      }
      count += chains;
    }
  }
  const mean = sum1 / count;
  const variance = sum2 / count - mean * mean;
  const exactDiscrete = 1 / (beta * h * (1 - (eta * h) / 2));
  const continuum = 1 / (beta * h);
  assert.ok(Math.abs(mean) < 0.02, `mean ${mean}`);
  assert.ok(Math.abs(variance / exactDiscrete - 1) < 0.03, `variance ${variance} vs discrete-time ${exactDiscrete}`);
  assert.ok(Math.abs(variance / continuum - 1) < 0.05, `variance ${variance} vs 1/(βh) = ${continuum}`);
});

test('langevin: same key → same noise; the noise std is √(2η/β) per coordinate', () => {
  const t = langevin(0.5, { beta: 4 });
  const p = zeros([20000]);
  const g = zeros([20000]);
  const k = random.key(3);
  const [u1] = t.update(g, t.init(p), { params: p, step: 0, key: k });
  const [u2] = t.update(g, t.init(p), { params: p, step: 0, key: k });
  assert.deepEqual([...(u1 as Tensor).data], [...(u2 as Tensor).data]);
  const d = [...(u1 as Tensor).data];
  const std = Math.sqrt(d.reduce((s, v) => s + v * v, 0) / d.length);
  assert.ok(Math.abs(std / Math.sqrt((2 * 0.5) / 4) - 1) < 0.02, `std ${std}`);
});
