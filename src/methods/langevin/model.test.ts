import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor } from '../../tensor/tensor.ts';
import * as random from '../../tensor/random.ts';
import { valueAndGrad } from '../../tensor/transforms.ts';
import { twoLayerNet } from './model.ts';
import { hilbertRegularizer } from './regularizer.ts';
import { fitRandomFeatures } from './random-features.ts';
import { makeTeacher, regressionData, uniformInputs, classificationData, teacherStats } from './teacher.ts';

test('two-layer model: f(x) = Σ a_m R tanh(v_m/R) σ(w_mᵀ[x; 1]), a_m = m^(−pα)', () => {
  const net = twoLayerNet({ inputDim: 2, width: 3, p: 2, alpha: 0.5, clip: 2 });
  const p = { w: new Tensor(new Float64Array([0.1, -0.2, 0.3, 0.4, 0.5, -0.6, 0.1, 0, -0.1]), [3, 3]), v: new Tensor(new Float64Array([1, -3, 0.5]), [3]) };
  const x = new Tensor(new Float64Array([0.7, -0.4]), [1, 2]);
  let want = 0;
  for (let m = 0; m < 3; m++) {
    const pre = 0.7 * p.w.data[m]! - 0.4 * p.w.data[3 + m]! + p.w.data[6 + m]!; // last row: bias
    want += (1 / (m + 1)) * 2 * Math.tanh(p.v.data[m]! / 2) * Math.tanh(pre);
  }
  assert.ok(Math.abs(net.apply(p, x).data[0]! - want) < 1e-15);
  assert.throws(() => net.apply(p, new Tensor(new Float64Array(3), [1, 3])), /expected inputs \[n, 2\]/);
  assert.throws(() => twoLayerNet({ inputDim: 2, width: 3, activation: 'relu' as 'tanh' }), /bounded and smooth/);
});

test('ℋ_K regularizer: (λ/2)Σ_m ‖w_m‖²/μ_m with gradient λθ/μ_m', () => {
  const net = twoLayerNet({ inputDim: 1, width: 2 });
  const p = net.init(random.key(1));
  const reg = hilbertRegularizer(0.5, net.mu);
  const { value, grads } = valueAndGrad((q: typeof p) => reg(q, { step: 0 }))(p);
  let want = 0;
  for (const t of [p.w, p.v])
    t.data.forEach((v, i) => {
      want += (0.25 * v * v) / net.mu[i % 2]!;
    });
  assert.ok(Math.abs(value.item() - want) < 1e-12);
  grads.v.data.forEach((g, i) => assert.ok(Math.abs(g - (0.5 * p.v.data[i]!) / net.mu[i]!) < 1e-12));
  assert.throws(() => hilbertRegularizer(-1, net.mu), /lambda must be a finite number ≥ 0/);
});

test('random-features ridge fits the teacher far better than the mean, via cholesky + solveTriangular', () => {
  const teacher = makeTeacher(random.key(1), 3);
  const { x, y } = regressionData(random.key(2), teacher, 300, 0.05);
  const fit = fitRandomFeatures(random.key(3), x, y, { features: 400 });
  const xt = uniformInputs(random.key(4), 1000, 3);
  const f = teacher.f(xt);
  const pred = fit.predict(xt);
  const mse = pred.reduce((s, v, i) => s + (v - f[i]!) ** 2, 0) / f.length;
  const mean = f.reduce((s, v) => s + v, 0) / f.length;
  const variance = f.reduce((s, v) => s + (v - mean) ** 2, 0) / f.length;
  assert.ok(mse < 0.1 * variance, `mse ${mse} vs variance ${variance}`);
  assert.ok([1e-6, 1e-5, 1e-4, 1e-3, 1e-2].includes(fit.ridge));
  assert.throws(() => fitRandomFeatures(random.key(3), x, y, { features: 0 }), /features must be an integer ≥ 1/);
});

test('classification data: balanced ±1 labels outside the margin', () => {
  const teacher = makeTeacher(random.key(1), 3);
  const stats = teacherStats(teacher, random.key(2), 5000);
  const { x, y } = classificationData(random.key(3), teacher, 400, stats, 0.2);
  const f = teacher.f(x);
  y.data.forEach((l, i) => {
    assert.ok(l === 1 || l === -1);
    assert.ok(l * (f[i]! - stats.median) >= 0.2 * stats.std);
  });
  const pos = Array.from(y.data).filter((l) => l > 0).length;
  assert.ok(pos > 120 && pos < 280, `positives ${pos}`); // balanced up to the margin's asymmetric rejection
});
