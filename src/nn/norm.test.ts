import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as random from '../tensor/random.ts';
import { Tensor } from '../tensor/tensor.ts';
import { sum } from '../tensor/ops.ts';
import { grad } from '../tensor/transforms.ts';
import type { ModelState } from './layer.ts';
import { batchNorm1d, batchNorm2d, layerNorm, type BatchNormState } from './norm.ts';
import { checkLayerGradients } from './gradcheck.ts';
import { assertClose } from '../../test/support/test-util.ts';

const [k1, k2, k3, k4] = random.split(random.key(3), 4) as [random.Key, random.Key, random.Key, random.Key];

/** Per-channel (axis 1) values of an [N, C, ...] tensor. */
function channel(x: Tensor, c: number): number[] {
  const [n, C] = x.shape as [number, number];
  const inner = x.size / (n * C);
  const out: number[] = [];
  for (let i = 0; i < n; i++) for (let j = 0; j < inner; j++) out.push(x.data[(i * C + c) * inner + j]!);
  return out;
}
const meanOf = (v: number[]): number => v.reduce((a, b) => a + b, 0) / v.length;
const sqDev = (v: number[]): number => {
  const m = meanOf(v);
  return v.reduce((a, b) => a + (b - m) ** 2, 0);
};

/** PyTorch's BatchNorm forward in training mode, and its running-stat update, written out. */
function torchTrainRef(x: Tensor, w: number[], b: number[], rm: number[], rv: number[], momentum: number, eps: number) {
  const C = x.shape[1]!;
  const inner = x.size / (x.shape[0]! * C);
  const y = new Float64Array(x.size);
  const newMean: number[] = [];
  const newVar: number[] = [];
  for (let c = 0; c < C; c++) {
    const v = channel(x, c);
    const mu = meanOf(v);
    const biased = sqDev(v) / v.length;
    const unbiased = sqDev(v) / (v.length - 1);
    newMean.push((1 - momentum) * rm[c]! + momentum * mu);
    newVar.push((1 - momentum) * rv[c]! + momentum * unbiased);
    for (let i = 0; i < x.shape[0]!; i++)
      for (let j = 0; j < inner; j++) {
        const idx = (i * C + c) * inner + j;
        y[idx] = ((x.data[idx]! - mu) / Math.sqrt(biased + eps)) * w[c]! + b[c]!;
      }
  }
  return { y, newMean, newVar };
}

test('batchNorm2d training: batch statistics (biased) and PyTorch running-stat updates (unbiased)', () => {
  const bn = batchNorm2d({ name: 'bn', features: 3, momentum: 0.2, eps: 1e-3 });
  const params = { weight: random.normal(k1, [3]), bias: random.normal(k2, [3]) };
  const state: ModelState = bn.initState();
  const s0 = state['bn'] as BatchNormState;
  assert.deepEqual([...s0.mean.data], [0, 0, 0]);
  assert.deepEqual([...s0.var.data], [1, 1, 1]);
  let rm = [0, 0, 0];
  let rv = [1, 1, 1];
  for (const k of [k3, k4]) {
    const x = random.normal(k, [4, 3, 2, 5], { mean: 1.5, std: 2 });
    const y = bn.apply(params, x, { training: true, state });
    const ref = torchTrainRef(x, [...params.weight.data], [...params.bias.data], rm, rv, 0.2, 1e-3);
    assertClose(y.data, ref.y, 1e-12, 'output');
    const st = state['bn'] as BatchNormState;
    assertClose(st.mean.data, ref.newMean, 1e-14, 'running mean');
    assertClose(st.var.data, ref.newVar, 1e-14, 'running var');
    rm = ref.newMean;
    rv = ref.newVar;
  }
});

test('batchNorm2d eval: normalizes with the running stats, writes nothing, errors without them', () => {
  const bn = batchNorm2d({ name: 'bn7', features: 2 });
  const params = { weight: random.normal(k1, [2]), bias: random.normal(k2, [2]) };
  const st: BatchNormState = { mean: new Tensor(Float64Array.from([0.5, -1]), [2]), var: new Tensor(Float64Array.from([2, 0.25]), [2]) };
  const state: ModelState = { bn7: st };
  const x = random.normal(k3, [3, 2, 2, 2]);
  const y = bn.apply(params, x, { training: false, state });
  const want = Float64Array.from(x.data, (v, i) => {
    const c = Math.floor(i / 4) % 2;
    return ((v - st.mean.data[c]!) / Math.sqrt(st.var.data[c]! + 1e-5)) * params.weight.data[c]! + params.bias.data[c]!;
  });
  assertClose(y.data, want, 1e-14);
  assert.equal(state['bn7'], st, 'eval does not touch the state');
  assert.throws(() => bn.apply(params, x), /batchNorm2d 'bn7': eval mode needs running statistics in ctx.state\['bn7'\]/);
  assert.throws(() => bn.apply(params, x, { training: false, state: {} }), /batchNorm2d 'bn7'/);
  assert.throws(() => bn.apply(params, x, { training: false, state: { bn7: { mean: st.mean } } }), /batchNorm2d 'bn7': ctx.state\['bn7'\].var must be/);
});

test('batchNorm: training without ctx.state still normalizes; a missing entry is created', () => {
  const bn = batchNorm1d({ name: 'b1', features: 4 });
  const p = bn.init(k1);
  const x = random.normal(k2, [8, 4], { std: 3 });
  const y = bn.apply(p, x, { training: true });
  for (let c = 0; c < 4; c++) {
    const v = channel(y, c);
    assert.ok(Math.abs(meanOf(v)) < 1e-12);
    assert.ok(Math.abs(sqDev(v) / v.length - 1) < 1e-5);
  }
  const state: ModelState = {};
  bn.apply(p, x, { training: true, state });
  const st = state['b1'] as BatchNormState;
  assertClose(
    st.mean.data,
    [0, 1, 2, 3].map((c) => 0.1 * meanOf(channel(x, c))),
    1e-14,
  );
  // [N, C, L] is accepted by batchNorm1d; statistics over N and L.
  assert.deepEqual(bn.apply(p, random.normal(k3, [2, 4, 3]), { training: true }).shape, [2, 4, 3]);
});

test('batchNorm: running stats are stored as constants even when written under grad', () => {
  const bn = batchNorm2d({ name: 'bn', features: 2 });
  const state = bn.initState();
  const x = random.normal(k1, [2, 2, 3, 3]);
  grad((p: { weight: Tensor; bias: Tensor }) => sum(bn.apply(p, x, { training: true, state })))(bn.init(k1) as { weight: Tensor; bias: Tensor });
  const st = state['bn'] as BatchNormState;
  assert.equal(st.mean._rev, undefined);
  assert.equal(st.var._node, undefined);
});

test('batchNorm: gradients (train mode, through batch statistics; eval mode) match finite differences', () => {
  const bn = batchNorm2d({ name: 'bn', features: 2, eps: 1e-2 });
  const p = { weight: random.normal(k1, [2]), bias: random.normal(k2, [2]) };
  const x = random.normal(k3, [3, 2, 2, 2]);
  checkLayerGradients(bn, p, x, { ctx: () => ({ training: true, state: bn.initState() }) });
  const state = { bn: { mean: random.normal(k4, [2]), var: new Tensor(Float64Array.from([0.7, 1.9]), [2]) } };
  checkLayerGradients(bn, p, x, { ctx: { training: false, state } });
  const b1 = batchNorm1d({ name: 'b1', features: 3, affine: false });
  checkLayerGradients(b1, b1.init(k1), random.normal(k4, [5, 3]), { ctx: { training: true } });
});

test('batchNorm: clear errors', () => {
  const bn = batchNorm2d({ name: 'bnX', features: 3 });
  const p = bn.init(k1);
  assert.throws(
    () => bn.apply(p, random.normal(k1, [2, 4, 3, 3]), { training: true }),
    /batchNorm2d 'bnX': expected input \[batch, C, H, W\] \(NCHW\) with C = 3, got \[2, 4, 3, 3\]/,
  );
  assert.throws(() => bn.apply(p, random.normal(k1, [2, 3]), { training: true }), /batchNorm2d 'bnX'.*got \[2, 3\]/);
  assert.throws(() => bn.apply(p, random.normal(k1, [1, 3, 1, 1]), { training: true }), /batchNorm2d 'bnX': training needs more than 1 value per channel/);
  assert.throws(() => batchNorm1d({ name: 'b', features: 2, momentum: 2 }), /batchNorm1d 'b': momentum must be in \[0, 1\]/);
});

test('layerNorm: normalizes the trailing dims per example, affine params, gradients', () => {
  const ln = layerNorm({ name: 'ln', shape: [2, 3] });
  const p = ln.init(k1) as { weight: Tensor; bias: Tensor };
  assert.deepEqual(p.weight.shape, [2, 3]);
  const x = random.normal(k2, [4, 2, 3], { mean: 2, std: 3 });
  const y = ln.apply(p, x);
  assert.deepEqual(y.shape, [4, 2, 3]);
  for (let i = 0; i < 4; i++) {
    const row = [...y.data.subarray(i * 6, i * 6 + 6)];
    assert.ok(Math.abs(meanOf(row)) < 1e-12);
    assert.ok(Math.abs(sqDev(row) / 6 - 1) < 1e-4);
  }
  const p2 = { weight: random.normal(k3, [2, 3]), bias: random.normal(k4, [2, 3]) };
  checkLayerGradients(ln, p2, random.normal(k2, [2, 2, 3]));
  assert.throws(() => ln.apply(p, random.normal(k2, [4, 3, 2])), /layerNorm 'ln': expected input \[\.\.\., 2, 3\], got \[4, 3, 2\]/);
});

test('batchNorm: float32 end to end; dtype mismatches name the layer', () => {
  const bn = batchNorm2d({ name: 'bn32', features: 2, dtype: 'float32' });
  const p = bn.init(k1);
  assert.equal(p.weight!.dtype, 'float32');
  const state: ModelState = {};
  const x = random.normal(k2, [3, 2, 2, 2], { dtype: 'float32' });
  assert.equal(bn.apply(p, x, { training: true, state }).dtype, 'float32');
  assert.equal((state['bn32'] as BatchNormState).var.dtype, 'float32');
  assert.equal(bn.apply(p, x, { training: false, state }).dtype, 'float32');
  assert.throws(() => bn.apply(p, random.normal(k2, [3, 2, 2, 2]), { training: true }), /batchNorm2d 'bn32': input dtype float64/);
});
