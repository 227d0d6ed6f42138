import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as random from '../tensor/random.ts';
import { Tensor, tensor } from '../tensor/tensor.ts';
import { add, matmul } from '../tensor/ops.ts';
import type { TapSite } from './layer.ts';
import { linear } from './linear.ts';
import { checkLayerGradients } from './gradcheck.ts';
import { assertClose } from '../../test/support/test-util.ts';

const [k1, k2] = random.split(random.key(1), 2) as [random.Key, random.Key];

test('linear: shapes, params layout, x·w + b', () => {
  const l = linear({ name: 'fc', in: 5, out: 3 });
  const p = l.init(k1) as { w: Tensor; b: Tensor };
  assert.deepEqual(p.w.shape, [5, 3]);
  assert.deepEqual(p.b.shape, [3]);
  const x = random.normal(k2, [4, 5]);
  const y = l.apply(p, x);
  assert.deepEqual(y.shape, [4, 3]);
  assertClose(y, add(matmul(x, p.w), p.b), 1e-15);
  const nb = linear({ in: 5, out: 3, bias: false });
  assert.deepEqual(Object.keys(nb.init(k1)), ['w']);
  assert.deepEqual(nb.apply(nb.init(k1), x).shape, [4, 3]);
  assert.equal(linear({ in: 2, out: 2, dtype: 'float32' }).init(k1).w.dtype, 'float32');
});

test('linear: gradients w.r.t. params and input match finite differences', () => {
  for (const bias of [true, false]) {
    const l = linear({ name: 'fc', in: 3, out: 2, bias });
    const r = checkLayerGradients(l, l.init(k1), random.normal(k2, [4, 3]));
    assert.equal(r.checked, (bias ? 8 : 6) + 12);
  }
});

test('linear: calls ctx.tap with its tensors and uses the returned tensor', () => {
  const l = linear({ name: 'fc', in: 3, out: 2 });
  const p = l.init(k1) as { w: Tensor; b: Tensor };
  const x = random.normal(k2, [4, 3]);
  const sites: TapSite[] = [];
  const y = l.apply(p, x, { training: true, tap: (s) => (sites.push(s), add(s.preActivation, 10)) });
  assert.equal(sites.length, 1);
  const s = sites[0]!;
  assert.equal(s.name, 'fc');
  assert.deepEqual(s.kind, { type: 'linear', bias: true });
  assert.equal(s.input, x);
  assert.equal(s.weight, p.w, 'weight is the very tensor from the params tree');
  assert.equal(s.bias, p.b);
  assertClose(s.preActivation, add(matmul(x, p.w), p.b), 1e-15);
  assertClose(y, add(s.preActivation, 10), 0);
  const nb = linear({ name: 'nb', in: 3, out: 2, bias: false });
  nb.apply(nb.init(k1), x, { training: false, tap: (t) => (sites.push(t), t.preActivation) });
  assert.deepEqual(sites[1]!.kind, { type: 'linear', bias: false });
  assert.equal(sites[1]!.bias, undefined);
});

test('linear: clear errors for bad inputs and params', () => {
  const l = linear({ name: 'dense0', in: 784, out: 10 });
  const p = l.init(k1);
  assert.throws(() => l.apply(p, random.normal(k2, [32, 100])), /linear 'dense0': expected input \[batch, 784\], got \[32, 100\]/);
  assert.throws(() => l.apply(p, random.normal(k2, [784])), /linear 'dense0'.*rank 2.*got \[784\]/);
  assert.throws(
    () => l.apply(linear({ in: 3, out: 10 }).init(k1), random.normal(k2, [2, 784])),
    /linear 'dense0': params.w has shape \[3, 10\], expected \[784, 10\]/,
  );
  assert.throws(() => l.apply(p, random.normal(k2, [2, 784], { dtype: 'float32' })), /linear 'dense0': input dtype float32/);
  assert.throws(() => l.apply(p, tensor([[1, 2]], { dtype: 'int32' })), /linear 'dense0': expected a float input/);
  assert.throws(() => linear({ name: 'bad', in: 0, out: 2 }), /linear 'bad': in must be a positive integer/);
});
