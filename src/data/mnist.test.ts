import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadMnist, stratifiedOrder, MNIST_CLASS_COUNTS, MNIST_TOTAL } from './mnist.ts';

function classCounts(y: ArrayLike<number>): number[] {
  const c = Array(10).fill(0);
  for (let i = 0; i < y.length; i++) c[y[i]!]++;
  return c;
}

// One parse of the package's 21 MB of JSON (cached in-module) serves every test here.
const { train, test: testSet } = loadMnist();

test('loadMnist: default 8000/2000, x [n, 784] on the k/255 grid in [0, 1], y int32 digits', () => {
  assert.equal(MNIST_TOTAL, 10000);
  assert.equal(
    MNIST_CLASS_COUNTS.reduce((a, b) => a + b),
    MNIST_TOTAL,
  );
  assert.deepEqual(train.x.shape, [8000, 784]);
  assert.deepEqual(testSet.x.shape, [2000, 784]);
  assert.equal(train.x.dtype, 'float64');
  assert.equal(train.y.dtype, 'int32');
  assert.equal(train.numClasses, 10);
  assert.equal(train.name, 'mnist-train');
  assert.equal(testSet.name, 'mnist-test');
  let max = 0;
  let sum = 0;
  for (const v of train.x.data) {
    const k = v * 255;
    assert.ok(Math.abs(k - Math.round(k)) < 1e-9 && v >= 0 && v <= 1);
    if (v > max) max = v;
    sum += v;
  }
  assert.equal(max, 1);
  assert.ok(Math.abs(sum / train.x.size - 0.131) < 0.005, `mean intensity ${sum / train.x.size}`);
  // train and test together hold every digit the package ships, each class in full.
  const all = classCounts(train.y.data).map((c, d) => c + classCounts(testSet.y.data)[d]!);
  assert.deepEqual(all, MNIST_CLASS_COUNTS);
});

test('loadMnist: the split is stratified, and every prefix of it too', () => {
  for (const [ds, n] of [
    [testSet, 2000],
    [train, 8000],
  ] as const) {
    const counts = classCounts(ds.y.data);
    counts.forEach((c, d) => assert.ok(Math.abs(c - (n * MNIST_CLASS_COUNTS[d]!) / MNIST_TOTAL) <= 1, `${ds.name} class ${d}: ${c}`));
  }
  const { cls } = stratifiedOrder(MNIST_CLASS_COUNTS);
  const seen = Array(10).fill(0);
  for (let m = 1; m <= MNIST_TOTAL; m++) {
    seen[cls[m - 1]!]++;
    for (let d = 0; d < 10; d++) assert.ok(Math.abs(seen[d] - (m * MNIST_CLASS_COUNTS[d]!) / MNIST_TOTAL) <= 1, `prefix ${m} class ${d}`);
  }
});

test('loadMnist: the split is stable: test depends only on `test`, smaller train sets are prefixes', () => {
  const small = loadMnist({ train: 1000, test: 2000, dtype: 'float32' });
  assert.equal(small.train.x.dtype, 'float32');
  assert.deepEqual(small.test.y.data, testSet.y.data);
  assert.deepEqual(small.train.y.data, train.y.data.subarray(0, 1000));
  assert.deepEqual(Float64Array.from(small.train.x.data), Float64Array.from(train.x.data.subarray(0, 1000 * 784), Math.fround));
  // A second default load (cached) is identical, and the whole set is usable.
  const again = loadMnist();
  assert.deepEqual(again.train.x.data, train.x.data);
  const full = loadMnist({ train: 10000, test: 0 });
  assert.deepEqual(full.test.x.shape, [0, 784]);
  assert.deepEqual(classCounts(full.train.y.data), MNIST_CLASS_COUNTS);
});

test('loadMnist: bad sizes and dtypes are refused with the numbers', () => {
  assert.throws(() => loadMnist({ train: 9000, test: 2000 }), /train 9000 \+ test 2000 = 11000 exceeds the 10000 digits the mnist package ships/);
  assert.throws(() => loadMnist({ train: -1 }), /train must be a non-negative integer, got -1/);
  assert.throws(() => loadMnist({ test: 1.5 }), /test must be a non-negative integer, got 1.5/);
  assert.throws(() => loadMnist({ dtype: 'int32' as 'float32' }), /dtype must be float64 or float32, got int32/);
});
