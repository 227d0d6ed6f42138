import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as random from '../tensor/random.ts';
import { Tensor } from '../tensor/tensor.ts';
import { activation, ACTIVATIONS, flatten, leakyRelu } from './activations.ts';
import { avgPool2d, maxPool2d } from './pool.ts';
import { checkLayerGradients } from './gradcheck.ts';
import { assertClose } from '../../test/support/test-util.ts';

const key = random.key(5);
/** Normal values pushed at least 0.05 away from 0 (no relu kink within the FD step). */
const awayFromZero = (shape: number[]): Tensor => {
  const x = random.normal(key, shape);
  return new Tensor(
    Float64Array.from(x.data, (v) => v + Math.sign(v || 1) * 0.05),
    shape,
  );
};

const reference: Record<string, (v: number) => number> = {
  relu: (v) => Math.max(v, 0),
  tanh: Math.tanh,
  sigmoid: (v) => 1 / (1 + Math.exp(-v)),
  softplus: (v) => Math.log1p(Math.exp(v)),
  leakyRelu: (v) => (v > 0 ? v : 0.01 * v),
  identity: (v) => v,
  gelu: (v) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3))),
};

test('activation layers: values, shapes, empty params, gradients', () => {
  const x = awayFromZero([3, 4]);
  for (const kind of ACTIVATIONS) {
    const layer = activation(kind);
    assert.equal(layer.name, kind);
    assert.deepEqual(layer.init(key), {});
    const y = layer.apply({}, x);
    assert.deepEqual(y.shape, [3, 4]);
    assertClose(y.data, Array.from(x.data, reference[kind]!), 1e-14, kind);
    checkLayerGradients(layer, {}, x);
  }
  assertClose(
    leakyRelu({ slope: 0.2 }).apply({}, x).data,
    Array.from(x.data, (v) => (v > 0 ? v : 0.2 * v)),
    1e-15,
  );
  assert.equal(activation('relu', { name: 'act3' }).name, 'act3');
  assert.throws(() => activation('swish' as never), /unknown activation "swish"/);
});

test('flatten: [N, ...] → [N, prod]', () => {
  const f = flatten();
  assert.deepEqual(f.apply({}, random.normal(key, [2, 3, 4, 5])).shape, [2, 60]);
  assert.deepEqual(f.apply({}, random.normal(key, [2])).shape, [2, 1]);
  assert.throws(() => f.apply({}, new Tensor(Float64Array.from([1]), [])), /flatten 'flatten': expected input \[batch, \.\.\.\], got \[\]/);
});

test('pool layers: shapes, gradients, errors', () => {
  const mp = maxPool2d({ name: 'pool0', kernel: 2 });
  const x = random.normal(key, [2, 3, 6, 5]);
  assert.deepEqual(mp.apply({}, x).shape, [2, 3, 3, 2]);
  assert.deepEqual(avgPool2d({ kernel: 3, stride: 1, padding: 1 }).apply({}, x).shape, [2, 3, 6, 5]);
  // distinct values (gaps ≫ FD step) so no window has a near-tie
  const perm = random.permutation(key, 32).data;
  const xd = new Tensor(
    Float64Array.from(perm, (v) => v * 0.1 - 1.6),
    [1, 2, 4, 4],
  );
  checkLayerGradients(mp, {}, xd);
  checkLayerGradients(avgPool2d({ kernel: 2 }), {}, xd);
  assert.throws(() => mp.apply({}, random.normal(key, [3, 6, 5])), /maxPool2d 'pool0': expected input \[batch, C, H, W\] \(NCHW\), got \[3, 6, 5\]/);
  assert.throws(() => maxPool2d({ kernel: 0 }), /maxPool2d 'maxPool2d': kernel must be an integer ≥ 1/);
});
