import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  tensor,
  zeros,
  arange,
  add,
  mul,
  sub,
  div,
  matmul,
  sum,
  mean,
  max,
  argmax,
  reshape,
  transpose,
  slice,
  pad,
  concat,
  gather,
  scatterAdd,
  where,
  greater,
  cast,
  exp,
  log,
  setCheckFinite,
  softmaxCrossEntropy,
  conv2d,
  maxPool2d,
  avgPool2d,
  oneHot,
  squeeze,
  expandDims,
  grad,
  ones,
  Tensor,
  stopGradient,
  jacobian,
  tanh,
  random,
  linalg,
} from '../src/index.ts';

test('tensor construction, shape, dtype, toArray and data', () => {
  const t = tensor([
    [1, 2, 3],
    [4, 5, 6],
  ]);
  assert.deepEqual(t.shape, [2, 3]);
  assert.equal(t.dtype, 'float64');
  assert.ok(t.data instanceof Float64Array);
  assert.deepEqual(t.toArray(), [
    [1, 2, 3],
    [4, 5, 6],
  ]);
  assert.deepEqual(tensor(new Float32Array([1, 2, 3, 4]), { shape: [2, 2] }).toArray(), [
    [1, 2],
    [3, 4],
  ]);
  assert.equal(tensor([1, 2], { dtype: 'int32' }).dtype, 'int32');
  assert.deepEqual(tensor([true, false]).toArray(), [true, false]);
  assert.equal(tensor(3).item(), 3);
});

test('NumPy broadcasting in elementwise ops', () => {
  const a = tensor([[1], [2]]);
  const b = tensor([10, 20, 30]);
  assert.deepEqual(add(a, b).toArray(), [
    [11, 21, 31],
    [12, 22, 32],
  ]);
  assert.deepEqual(mul(b, 2).toArray(), [20, 40, 60]);
  assert.deepEqual(sub(1, b).toArray(), [-9, -19, -29]);
  assert.deepEqual(where(greater(b, 15), b, 0).toArray(), [0, 20, 30]);
});

test('reductions, layout and indexing ops', () => {
  const x = reshape(arange(12), [3, 4]);
  assert.deepEqual(sum(x, 0).toArray(), [12, 15, 18, 21]);
  assert.deepEqual(mean(x, 1, { keepdims: true }).shape, [3, 1]);
  assert.deepEqual(max(x, 1).toArray(), [3, 7, 11]);
  assert.deepEqual(argmax(x, 0).toArray(), [2, 2, 2, 2]);
  assert.deepEqual(transpose(x).shape, [4, 3]);
  assert.deepEqual(slice(x, [1, -2]).toArray(), [
    [6, 7],
    [10, 11],
  ]);
  assert.deepEqual(pad(tensor([1, 2]), [[1, 2]]).toArray(), [0, 1, 2, 0, 0]);
  assert.deepEqual(concat([tensor([[1]]), tensor([[2, 3]])], 1).toArray(), [[1, 2, 3]]);
  const idx = tensor([2, 0, 2], { dtype: 'int32' });
  assert.deepEqual(gather(tensor([10, 11, 12]), idx).toArray(), [12, 10, 12]);
  assert.deepEqual(scatterAdd(tensor([1, 2, 3]), idx, 0, [3]).toArray(), [2, 0, 4]);
  assert.deepEqual(reshape(x, [2, -1]).shape, [2, 6]);
  assert.deepEqual(squeeze(expandDims(x, 1)).shape, [3, 4]);
  assert.deepEqual(
    matmul(
      tensor([
        [1, 2],
        [3, 4],
      ]),
      tensor([1, 1]),
    ).toArray(),
    [3, 7],
  );
  assert.deepEqual(oneHot(tensor([1, 0], { dtype: 'int32' }), 3).toArray(), [
    [0, 1, 0],
    [1, 0, 0],
  ]);
});

test('conv2d matches a direct convolution; pooling', () => {
  const k = random.split(random.key(1), 2);
  const x = random.normal(k[0]!, [2, 3, 6, 5]);
  const w = random.normal(k[1]!, [4, 3, 3, 2]);
  const y = conv2d(x, w, { stride: [2, 1], padding: 1 });
  assert.deepEqual(y.shape, [2, 4, 3, 6]);
  const X = x.data,
    W = w.data,
    Y = y.data;
  for (let n = 0; n < 2; n++)
    for (let o = 0; o < 4; o++)
      for (let i = 0; i < 3; i++)
        for (let j = 0; j < 6; j++) {
          let s = 0;
          for (let c = 0; c < 3; c++)
            for (let a = 0; a < 3; a++)
              for (let b = 0; b < 2; b++) {
                const r = i * 2 - 1 + a,
                  q = j - 1 + b;
                if (r >= 0 && r < 6 && q >= 0 && q < 5) s += X[((n * 3 + c) * 6 + r) * 5 + q]! * W[((o * 3 + c) * 3 + a) * 2 + b]!;
              }
          assert.ok(Math.abs(Y[((n * 4 + o) * 3 + i) * 6 + j]! - s) < 1e-12);
        }
  const img = reshape(arange(16), [1, 1, 4, 4]);
  assert.deepEqual(maxPool2d(img, 2).toArray(), [
    [
      [
        [5, 7],
        [13, 15],
      ],
    ],
  ]);
  assert.deepEqual(avgPool2d(img, 2).toArray(), [
    [
      [
        [2.5, 4.5],
        [10.5, 12.5],
      ],
    ],
  ]);
});

test('grad of grad of tanh, sigmoid-like exp, and softmax cross-entropy are exact', () => {
  const x = tensor([0.3, -0.7]);
  // d²/dx² tanh = -2 tanh (1 - tanh²)
  const d2 = grad((v: Tensor) => sum(grad((u: Tensor) => sum(tanh(u)))(v)))(x);
  x.data.forEach((v, i) => {
    const t = Math.tanh(v);
    assert.ok(Math.abs(d2.data[i]! - -2 * t * (1 - t * t)) < 1e-14);
  });
  const d3 = grad((v: Tensor) => sum(grad((u: Tensor) => sum(grad((w: Tensor) => sum(exp(w)))(u)))(v)))(x);
  x.data.forEach((v, i) => assert.ok(Math.abs(d3.data[i]! - Math.exp(v)) < 1e-14));
  const labels = tensor([1, 0], { dtype: 'int32' });
  const logits = tensor([
    [0.2, -0.1, 0.5],
    [1.0, 0.3, -0.4],
  ]);
  const h = jacobian((z: Tensor) => reshape(grad((l: Tensor) => softmaxCrossEntropy(l, labels))(z), [6]), logits);
  assert.deepEqual(h.shape, [6, 2, 3]);
});

test('stopGradient blocks derivatives', () => {
  const g = grad((x: Tensor) => sum(mul(x, stopGradient(x))))(tensor([2, 3]));
  assert.deepEqual(g.toArray(), [2, 3]);
});

test('float32 works end to end', () => {
  const x = tensor(
    [
      [1, 2],
      [3, 4],
    ],
    { dtype: 'float32' },
  );
  const g = grad((p: Tensor) => sum(matmul(p, p)))(x);
  assert.equal(g.dtype, 'float32');
  assert.ok(g.data instanceof Float32Array);
});

const throwsNaming = (fn: () => unknown, ...parts: string[]) =>
  assert.throws(fn, (e: Error) => parts.every((p) => e.message.includes(p)) || assert.fail(`"${e.message}" should mention ${parts.join(', ')}`));

test('bad input: errors name the op and the offending shapes/values', () => {
  throwsNaming(() => add(zeros([2, 3]), zeros([4])), 'add', '[2, 3]', '[4]');
  throwsNaming(() => matmul(zeros([2, 3]), zeros([4, 5])), 'matmul', '[2, 3]', '[4, 5]');
  throwsNaming(() => tensor([1], { dtype: 'float16' as never }), 'unknown dtype', 'float16');
  throwsNaming(() => zeros([2], 'complex' as never), 'unknown dtype', 'complex');
  throwsNaming(() => sum(zeros([2, 3]), 2), 'sum', 'axis 2', 'rank 2');
  throwsNaming(() => argmax(zeros([2, 3]), -3), 'argmax', 'axis -3');
  throwsNaming(() => add(zeros([2]), zeros([2], 'float32')), 'add', 'float64', 'float32');
  throwsNaming(() => reshape(zeros([2, 3]), [4]), 'reshape', '[2, 3]', '[4]');
  throwsNaming(() => conv2d(zeros([1, 2, 5, 5]), zeros([3, 4, 3, 3])), 'conv2d', '[1, 2, 5, 5]', '[3, 4, 3, 3]');
  throwsNaming(() => gather(tensor([1, 2]), tensor([5], { dtype: 'int32' })), 'gather', 'index 5');
  throwsNaming(() => softmaxCrossEntropy(zeros([2, 3]), tensor([0, 3], { dtype: 'int32' })), 'label 3', 'out of range');
  throwsNaming(() => linalg.qr(zeros([2, 3])), 'qr', '[2, 3]');
  throwsNaming(() => tensor([1, NaN], { checkFinite: true }), 'non-finite', 'NaN');
  setCheckFinite(true);
  try {
    throwsNaming(() => log(tensor([1, -1])), 'log', 'NaN', '[2]');
    throwsNaming(() => div(tensor([1]), tensor([0])), 'div', 'Infinity');
  } finally {
    setCheckFinite(false);
  }
  assert.ok(Number.isNaN(log(tensor([-1])).item()), 'without checkFinite, NaN propagates');
  throwsNaming(() => cast(ones([1]), 'float16' as never), 'cast');
});
