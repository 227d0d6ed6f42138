/**
 * The fused primitives against the compositions they replace: softmax-cross-entropy (one
 * primitive) vs −mean(onehot · logSoftmax), relu (maskPositive) vs where(x > 0, x, 0), scalar
 * operands vs explicit broadcasts — values, gradients and Hessian-vector products.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Tensor,
  tensor,
  random,
  grad,
  hvp,
  mean,
  mul,
  neg,
  sum,
  logSoftmax,
  oneHot,
  softmaxCrossEntropy,
  relu,
  where,
  greater,
  add,
  sub,
  broadcastTo,
} from '../src/index.ts';
import { allocateOutput } from '../src/tensor/arena.ts';
import { encodeTree, decodeTree } from '../src/train/serialize.ts';

const maxAbsDiff = (a: Tensor, b: Tensor): number => {
  assert.deepEqual(a.shape, b.shape);
  let m = 0;
  for (let i = 0; i < a.size; i++) m = Math.max(m, Math.abs(Number(a.data[i]) - Number(b.data[i])));
  return m;
};

const referenceCE = (logits: Tensor, labels: Tensor): Tensor => neg(mean(sum(mul(oneHot(labels, logits.shape[1]!), logSoftmax(logits, 1)), 1)));

test('fused softmaxCrossEntropy matches the composed reference: value, gradient, HVP', () => {
  const [k1, k2, k3] = random.split(random.key(7), 3);
  const logits = mul(random.normal(k1!, [6, 5]), 3);
  const labels = random.randint(k2!, 0, 5, [6]);
  const v = random.normal(k3!, [6, 5]);
  const f = (x: Tensor): Tensor => softmaxCrossEntropy(x, labels);
  const r = (x: Tensor): Tensor => referenceCE(x, labels);
  assert.ok(Math.abs(f(logits).item() - r(logits).item()) < 1e-14);
  assert.ok(maxAbsDiff(grad(f)(logits), grad(r)(logits)) < 1e-15);
  assert.ok(maxAbsDiff(hvp(f, logits, v), hvp(r, logits, v)) < 1e-15);
  // Third order: the gradient of v·H(x)v.
  const third = (h: (x: Tensor) => Tensor) => grad((x: Tensor) => sum(mul(hvp(h, x, v), v)))(logits);
  assert.ok(maxAbsDiff(third(f), third(r)) < 1e-14);
});

test('fused softmaxCrossEntropy is stable for huge logits and rejects bad labels', () => {
  const logits = tensor([
    [1000, 0, -1000],
    [-1e4, 1e4, 0],
  ]);
  const labels = tensor([0, 1], { dtype: 'int32' });
  assert.equal(softmaxCrossEntropy(logits, labels).item(), 0);
  assert.throws(() => softmaxCrossEntropy(logits, tensor([0, 3], { dtype: 'int32' })), /label 3 at index 1 is out of range \[0, 3\)/);
  assert.throws(() => softmaxCrossEntropy(logits, tensor([0, 1])), /labels must be int32/);
  assert.throws(() => softmaxCrossEntropy(tensor(new Float64Array(0), { shape: [0, 2] }), tensor(new Int32Array(0), { shape: [0] })), /empty batch/);
});

test('relu (maskPositive) equals where(x > 0, x, 0) with the same derivatives', () => {
  const x = tensor([
    [-2, -0.5, 0, 0.5, 3],
    [1, -1, 2, -2, 0.25],
  ]);
  const v = random.normal(random.key(3), [2, 5]);
  const ref = (t: Tensor): Tensor => where(greater(t, 0), t, 0);
  const loss =
    (h: (t: Tensor) => Tensor) =>
    (t: Tensor): Tensor =>
      sum(mul(h(t), h(mul(t, t))));
  assert.equal(maxAbsDiff(relu(x), ref(x)), 0);
  assert.equal(maxAbsDiff(grad(loss(relu))(x), grad(loss(ref))(x)), 0);
  assert.equal(maxAbsDiff(hvp(loss(relu), x, v), hvp(loss(ref), x, v)), 0);
  assert.throws(() => relu(tensor([1, 2], { dtype: 'int32' })), /relu: needs a float tensor/);
});

test('a scalar operand gives the same values and gradients as an explicit broadcast', () => {
  const x = random.normal(random.key(1), [3, 4]);
  const s = tensor(0.7);
  const viaScalar = (p: { x: Tensor; s: Tensor }): Tensor => sum(mul(sub(mul(p.x, p.s), add(p.s, p.x)), p.x));
  const viaBroadcast = (p: { x: Tensor; s: Tensor }): Tensor => {
    const sb = broadcastTo(p.s, p.x.shape);
    return sum(mul(sub(mul(p.x, sb), add(sb, p.x)), p.x));
  };
  const a = grad(viaScalar)({ x, s });
  const b = grad(viaBroadcast)({ x, s });
  assert.ok(maxAbsDiff(a.x, b.x) < 1e-15);
  assert.ok(Math.abs(a.s.item() - b.s.item()) < 1e-13);
  assert.deepEqual(a.s.shape, []);
});

test('arena: primitive outputs are disjoint zeroed views, and serialize through byteOffset', () => {
  const views = Array.from({ length: 200 }, (_, i) => allocateOutput(i % 2 ? 'float32' : 'float64', 20 + (i % 37)));
  for (const v of views) assert.ok(v.every((e) => e === 0));
  views.forEach((v, i) => v.fill(i + 1));
  views.forEach((v, i) =>
    assert.ok(
      v.every((e) => e === i + 1),
      `view ${i} was overwritten`,
    ),
  );
  const t = new Tensor(views[5]!, [views[5]!.length]);
  const back = decodeTree(JSON.parse(JSON.stringify(encodeTree({ t })))) as { t: Tensor };
  assert.deepEqual(Array.from(back.t.data), Array.from(t.data));
});
