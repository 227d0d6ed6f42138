import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadIris, IRIS_CLASSES } from './iris.ts';

test('loadIris: 150×4 features in cm, 3 classes of 50 in file order', () => {
  const ds = loadIris();
  assert.equal(ds.name, 'iris');
  assert.deepEqual(ds.x.shape, [150, 4]);
  assert.equal(ds.x.dtype, 'float64');
  assert.deepEqual(ds.y.shape, [150]);
  assert.equal(ds.y.dtype, 'int32');
  assert.equal(ds.numClasses, 3);
  assert.deepEqual(IRIS_CLASSES, ['setosa', 'versicolor', 'virginica']);
  const y = Array.from(ds.y.data);
  for (let c = 0; c < 3; c++) assert.deepEqual(y.slice(50 * c, 50 * c + 50), Array(50).fill(c));
  assert.deepEqual(Array.from(ds.x.data.subarray(0, 4)), [5.1, 3.5, 1.4, 0.2]); // Fisher's first flower
  for (const v of ds.x.data) assert.ok(v > 0 && v < 8);
  assert.equal(loadIris({ dtype: 'float32' }).x.dtype, 'float32');
  assert.throws(() => loadIris({ dtype: 'int32' as 'float32' }), /loadIris: dtype must be float64 or float32, got int32/);
});
