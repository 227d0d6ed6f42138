import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { Tensor, arange, scalar, tensor } from './tensor.ts';
import { mul, reshape, sum } from './ops.ts';
import { grad } from './transforms.ts';

test('util.inspect / console.log print dtype, shape and values, not the trace fields', () => {
  assert.equal(
    inspect(
      tensor([
        [1, 2],
        [3, 4],
      ]),
    ),
    'Tensor(float64, [2, 2]) [[1, 2], [3, 4]]',
  );
  assert.equal(inspect(scalar(3)), 'Tensor(float64, []) 3');
  assert.equal(inspect(tensor([0.1 + 0.2, 1 / 3, -2.5e-10])), 'Tensor(float64, [3]) [0.3, 0.33333333, -2.5e-10]');
  assert.equal(inspect(tensor([true, false])), 'Tensor(bool, [2]) [true, false]');
  assert.equal(inspect(tensor([7, -1], { dtype: 'int32' })), 'Tensor(int32, [2]) [7, -1]');
  assert.equal(inspect(tensor([NaN, Infinity], { dtype: 'float32' })), 'Tensor(float32, [2]) [NaN, Infinity]');
  // Inside a traced computation, and nested in objects.
  grad((x: Tensor) => {
    const y = mul(x, 2);
    assert.equal(inspect(y), 'Tensor(float64, [2]) [2, 4]');
    assert.doesNotMatch(inspect(y), /_rev|_node|_tan/);
    return sum(y);
  })(tensor([1, 2]));
  assert.equal(inspect({ w: tensor([1]) }), '{ w: Tensor(float64, [1]) [1] }');
});

test('large tensors are summarized around "..." and long ones print one row per line', () => {
  const big = inspect(reshape(arange(2000), [40, 50]));
  const lines = big.split('\n');
  assert.equal(lines[0], 'Tensor(float64, [40, 50])');
  assert.equal(lines[1], '[[0, 1, 2, ..., 47, 48, 49],');
  assert.equal(lines[4], ' ...,');
  assert.equal(lines.at(-1), ' [1950, 1951, 1952, ..., 1997, 1998, 1999]]');
  assert.equal(lines.length, 8);
  // 1000 elements or fewer: every value, wrapped by rows when long.
  const full = inspect(reshape(arange(1000), [10, 100]));
  assert.doesNotMatch(full, /\.\.\./);
  assert.equal(full.split('\n').length, 11);
  assert.equal(inspect(arange(1001)).match(/\.\.\./g)?.length, 1);
});
