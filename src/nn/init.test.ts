import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as random from '../tensor/random.ts';
import type { Tensor } from '../tensor/tensor.ts';
import {
  calculateGain,
  computeFans,
  kaimingNormal,
  kaimingUniform,
  lecunNormal,
  xavierNormal,
  xavierUniform,
  zeros,
  pytorchLinearDefault,
  uniformBias,
} from './init.ts';

function stats(t: Tensor): { mean: number; std: number; maxAbs: number } {
  let s = 0;
  let m = 0;
  for (const v of t.data) {
    s += v;
    m = Math.max(m, Math.abs(v));
  }
  const mean = s / t.size;
  let q = 0;
  for (const v of t.data) q += (v - mean) ** 2;
  return { mean, std: Math.sqrt(q / t.size), maxAbs: m };
}

const k = random.key(7);
/** ~1e5 samples: the std estimate is within ~0.3% (1σ); 2% is > 6σ. */
const close = (got: number, want: number, what: string): void => assert.ok(Math.abs(got / want - 1) < 0.02, `${what}: std ${got}, expected ${want}`);

test('fans: [in, out] linear weights and [O, C, kh, kw] conv weights', () => {
  assert.deepEqual(computeFans([784, 256]), { fanIn: 784, fanOut: 256 });
  assert.deepEqual(computeFans([16, 3, 5, 5]), { fanIn: 75, fanOut: 400 });
  assert.throws(() => computeFans([10]), /rank ≥ 2/);
});

test('gains match torch.nn.init.calculate_gain', () => {
  assert.equal(calculateGain('relu'), Math.SQRT2);
  assert.equal(calculateGain('tanh'), 5 / 3);
  assert.equal(calculateGain('linear'), 1);
  assert.ok(Math.abs(calculateGain('leakyRelu', 0.2) - Math.sqrt(2 / 1.04)) < 1e-15);
});

test('kaiming: std = gain/√fanIn (normal), bound √3·std (uniform)', () => {
  const w = kaimingNormal(k, [400, 300]);
  close(stats(w).std, Math.SQRT2 / Math.sqrt(400), 'kaimingNormal');
  assert.ok(Math.abs(stats(w).mean) < 0.003);
  const wo = kaimingNormal(k, [400, 300], { mode: 'fanOut', nonlinearity: 'tanh' });
  close(stats(wo).std, 5 / 3 / Math.sqrt(300), 'kaimingNormal fanOut tanh');
  const c = kaimingNormal(k, [64, 32, 7, 7]);
  close(stats(c).std, Math.SQRT2 / Math.sqrt(32 * 49), 'kaimingNormal conv');
  const u = kaimingUniform(k, [400, 300]);
  const bound = Math.SQRT2 * Math.sqrt(3 / 400);
  close(stats(u).std, bound / Math.sqrt(3), 'kaimingUniform');
  assert.ok(stats(u).maxAbs <= bound && stats(u).maxAbs > 0.99 * bound);
});

test('xavier and lecun: std formulas', () => {
  close(stats(xavierNormal(k, [400, 300])).std, Math.sqrt(2 / 700), 'xavierNormal');
  const u = xavierUniform(k, [400, 300], { gain: 2 });
  const bound = 2 * Math.sqrt(6 / 700);
  close(stats(u).std, bound / Math.sqrt(3), 'xavierUniform');
  assert.ok(stats(u).maxAbs <= bound);
  close(stats(xavierNormal(k, [64, 32, 5, 5])).std, Math.sqrt(2 / (32 * 25 + 64 * 25)), 'xavierNormal conv');
  close(stats(lecunNormal(k, [500, 200])).std, 1 / Math.sqrt(500), 'lecunNormal');
});

test('PyTorch default: U(±1/√fanIn) for weights and biases', () => {
  const w = pytorchLinearDefault(k, [250, 400]);
  const a = 1 / Math.sqrt(250);
  assert.ok(stats(w).maxAbs <= a && stats(w).maxAbs > 0.99 * a);
  close(stats(w).std, a / Math.sqrt(3), 'pytorchLinearDefault');
  assert.ok(stats(uniformBias(250)(k, [5000])).maxAbs <= a);
});

test('dtype, determinism by key, zeros', () => {
  const a = kaimingNormal(k, [3, 4], { dtype: 'float32' });
  assert.equal(a.dtype, 'float32');
  assert.deepEqual(kaimingNormal(k, [3, 4]).data, kaimingNormal(k, [3, 4]).data);
  assert.notDeepEqual(kaimingNormal(k, [3, 4]).data, kaimingNormal(random.foldIn(k, 1), [3, 4]).data);
  const z = zeros(k, [2, 3], { dtype: 'float32' });
  assert.equal(z.dtype, 'float32');
  assert.ok(z.data.every((v) => v === 0));
});
