import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as random from '../tensor/random.ts';
import { Tensor } from '../tensor/tensor.ts';
import { add, matmul, mul, tanh as tanhOp } from '../tensor/ops.ts';
import { treeFlatten, treeMap, type Tree } from '../tensor/tree.ts';
import type { TapSite } from './layer.ts';
import { sequential } from './sequential.ts';
import { linear } from './linear.ts';
import { relu, tanh } from './activations.ts';
import { batchNorm1d, type BatchNormState } from './norm.ts';
import { dropout } from './dropout.ts';
import { mlp } from './mlp.ts';
import { cnn } from './cnn.ts';
import { checkLayerGradients } from './gradcheck.ts';
import { assertClose } from '../../test/support/test-util.ts';

const [k1, k2] = random.split(random.key(6), 2) as [random.Key, random.Key];

test('sequential: params are an array (one entry per child), applied in order', () => {
  const net = sequential('net', [linear({ name: 'a', in: 3, out: 4 }), tanh(), linear({ name: 'b', in: 4, out: 2, bias: false })]);
  const p = net.init(k1) as [{ w: Tensor; b: Tensor }, Record<string, never>, { w: Tensor }];
  assert.equal(p.length, 3);
  assert.deepEqual(p[0].w.shape, [3, 4]);
  assert.deepEqual(p[1], {});
  assert.deepEqual(treeFlatten(p).paths, ['[0].b', '[0].w', '[2].w']);
  const x = random.normal(k2, [5, 3]);
  assertClose(net.apply(p, x), matmul(tanhOp(add(matmul(x, p[0].w), p[0].b)), p[2].w), 1e-15);
  checkLayerGradients(net, p, x);
});

test('sequential: child init keys depend on the child name, not its position', () => {
  const a = sequential('n', [linear({ name: 'l1', in: 3, out: 3 }), relu(), linear({ name: 'l2', in: 3, out: 2 })]);
  const b = sequential('n', [linear({ name: 'l1', in: 3, out: 3 }), dropout({ name: 'drop', rate: 0.1 }), relu(), linear({ name: 'l2', in: 3, out: 2 })]);
  const pa = a.init(k1) as Tree[];
  const pb = b.init(k1) as Tree[];
  assert.deepEqual((pa[2] as { w: Tensor }).w.data, (pb[3] as { w: Tensor }).w.data);
  assert.deepEqual((pa[0] as { w: Tensor }).w.data, (pb[0] as { w: Tensor }).w.data);
  assert.notDeepEqual((pa[0] as { b: Tensor }).b.data.slice(0, 2), (pa[2] as { b: Tensor }).b.data);
});

test('sequential: unique names (also across nesting), params checks', () => {
  assert.throws(() => sequential('net', [relu(), relu()]), /sequential 'net': duplicate layer name 'relu'/);
  const inner = sequential('block', [batchNorm1d({ name: 'bn', features: 2 })]);
  assert.throws(() => sequential('net', [inner, batchNorm1d({ name: 'bn', features: 2 })]), /duplicate layer name 'bn'/);
  assert.throws(() => sequential('net', []), /sequential 'net': needs a non-empty array/);
  const net = sequential('net', [linear({ name: 'a', in: 2, out: 2 }), relu()]);
  assert.throws(
    () => net.apply([{}] as never, random.normal(k1, [1, 2])),
    /sequential 'net': params must be an array of 2 entries \(one per layer: a, relu\), got an array of 1/,
  );
  assert.throws(() => net.apply(net.init(k1), random.normal(k1, [1, 3])), /linear 'a': expected input \[batch, 2\], got \[1, 3\]/);
});

test('sequential: initState collects nested children; BN state flows through ctx', () => {
  const net = sequential('net', [
    sequential('block', [linear({ name: 'fc', in: 3, out: 4 }), batchNorm1d({ name: 'bn1', features: 4 })]),
    relu(),
    linear({ name: 'out', in: 4, out: 2 }),
    batchNorm1d({ name: 'bn2', features: 2 }),
  ]);
  const state = net.initState();
  assert.deepEqual(Object.keys(state).sort(), ['bn1', 'bn2']);
  const p = net.init(k1);
  net.apply(p, random.normal(k2, [6, 3]), { training: true, state });
  assert.ok([...(state['bn1'] as BatchNormState).mean.data].some((v) => v !== 0));
  assert.deepEqual(net.apply(p, random.normal(k2, [6, 3]), { training: false, state }).shape, [6, 2]);
});

test('mlp: dense/act structure, names, shapes, taps in order, gradients', () => {
  const m = mlp({ sizes: [784, 256, 10] });
  assert.deepEqual(
    m.layers.map((l) => l.name),
    ['dense0', 'act0', 'dense1'],
  );
  const p = m.init(k1) as Tree[];
  assert.deepEqual((p[0] as { w: Tensor }).w.shape, [784, 256]);
  assert.deepEqual((p[2] as { w: Tensor }).w.shape, [256, 10]);
  const x = random.normal(k2, [3, 784]);
  const sites: TapSite[] = [];
  const y = m.apply(p, x, { training: true, tap: (s) => (sites.push(s), s.preActivation) });
  assert.deepEqual(y.shape, [3, 10]);
  assert.deepEqual(
    sites.map((s) => s.name),
    ['dense0', 'dense1'],
  );
  assert.deepEqual(sites[1]!.input.shape, [3, 256]);
  const small = mlp({ sizes: [3, 4, 4, 2], activation: 'tanh', dtype: 'float64', bias: false });
  assert.deepEqual(
    small.layers.map((l) => l.name),
    ['dense0', 'act0', 'dense1', 'act1', 'dense2'],
  );
  checkLayerGradients(small, small.init(k1), random.normal(k2, [2, 3]));
  assert.throws(() => mlp({ sizes: [5] }), /mlp 'mlp': sizes must list at least 2/);
});

test('cnn: 1×28×28 → 10 logits; configurable channels; taps conv0, conv1, dense0', () => {
  const net = cnn({ channels: [4, 8] });
  assert.deepEqual(
    net.layers.map((l) => l.name),
    ['conv0', 'act0', 'pool0', 'conv1', 'act1', 'pool1', 'flatten', 'dense0'],
  );
  const p = net.init(k1) as Tree[];
  assert.deepEqual((p[0] as { w: Tensor }).w.shape, [4, 1, 3, 3]);
  assert.deepEqual((p[7] as { w: Tensor }).w.shape, [8 * 7 * 7, 10]);
  const sites: string[] = [];
  const y = net.apply(p, random.normal(k2, [2, 1, 28, 28]), { training: false, tap: (s) => (sites.push(`${s.name}:${s.kind.type}`), s.preActivation) });
  assert.deepEqual(y.shape, [2, 10]);
  assert.deepEqual(sites, ['conv0:conv2d', 'conv1:conv2d', 'dense0:linear']);
  const wide = cnn({ channels: [3], kernel: 5, hidden: [16], classes: 4, inputSize: [12, 10] });
  assert.deepEqual(wide.apply(wide.init(k1), random.normal(k2, [1, 1, 12, 10])).shape, [1, 4]);
  const tiny = cnn({ channels: [2], inputSize: 4, classes: 2, activation: 'tanh' });
  checkLayerGradients(tiny, tiny.init(k1), random.normal(k2, [2, 1, 4, 4]));
  assert.throws(() => cnn({ channels: [2, 2, 2], inputSize: 4 }), /cnn 'cnn': input 4 is too small/);
});

test('trainer integration: K-FAC layer statistics find the mlp/cnn weights by path', async () => {
  const { train } = await import('../train/trainer.ts');
  const x = random.normal(k1, [16, 1, 6, 6]);
  const y = new Tensor(
    Int32Array.from({ length: 16 }, (_, i) => i % 3),
    [16],
    'int32',
  );
  const seen: string[] = [];
  const net = sequential('net', [
    cnn({ name: 'body', channels: [2], inputSize: 6, classes: 4 }),
    relu({ name: 'r' }),
    batchNorm1d({ name: 'bn', features: 4 }),
    linear({ name: 'head', in: 4, out: 3 }),
  ]);
  const r = train({
    model: net,
    train: { x, y },
    batchSize: 8,
    steps: 2,
    optimizer: {
      name: 'probe',
      needs: ['layerStats'],
      init: () => ({}),
      update: (g, s, ctx) => {
        for (const [name, st] of ctx.layerStats!) seen.push(`${name}:${st.weightPath}:${st.biasPath}`);
        return [treeMap((t) => mul(t, -0.1), g), s];
      },
    },
  });
  assert.deepEqual([...new Set(seen)], ['conv0:[0][0].w:[0][0].b', 'dense0:[0][4].w:[0][4].b', 'head:[3].w:[3].b']);
  assert.ok([...(r.modelState['bn'] as BatchNormState).var.data].every((v) => v !== 1));
});
