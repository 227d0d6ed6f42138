import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor, tensor } from './tensor.ts';
import { add, matmul, mul, sin, sum, tanh } from './ops.ts';
import { grad, hessian, jacobian } from './transforms.ts';
import * as random from './random.ts';

const f = (x: Tensor): Tensor => add(sum(mul(sin(x), mul(x, x))), sum(tanh(matmul(x, x, { transB: true }))));

test('hessian(f)(x) has shape x.shape ++ x.shape, equals jacobian(grad(f)) and finite differences', () => {
  const x = random.normal(random.key(3), [2, 3]);
  const h = hessian(f)(x);
  assert.deepEqual(h.shape, [2, 3, 2, 3]);
  assert.deepEqual(Array.from(h.data), Array.from(jacobian(grad(f), x).data));
  // Central differences of the gradient, column by column.
  const eps = 1e-5;
  for (let j = 0; j < x.size; j++) {
    const shifted = (s: number): Tensor =>
      tensor(
        Float64Array.from(x.data, (v, i) => (i === j ? v + s : v)),
        { shape: x.shape },
      );
    const gp = grad(f)(shifted(eps)).data;
    const gm = grad(f)(shifted(-eps)).data;
    for (let i = 0; i < x.size; i++) {
      const fd = (gp[i]! - gm[i]!) / (2 * eps);
      assert.ok(Math.abs(h.data[i * x.size + j]! - fd) < 1e-7, `H[${i}, ${j}] = ${h.data[i * x.size + j]} vs ${fd}`);
    }
  }
  // Symmetric, as a Hessian must be.
  for (let i = 0; i < x.size; i++) for (let j = 0; j < i; j++) assert.ok(Math.abs(h.data[i * 6 + j]! - h.data[j * 6 + i]!) < 1e-12);
});

test('hessian passes extra arguments through and refuses trees', () => {
  const q = (x: Tensor, a: Tensor): Tensor => sum(mul(matmul(a, x), x));
  const a = tensor([
    [2, 1],
    [1, 3],
  ]);
  assert.deepEqual(Array.from(hessian(q)(tensor([0.3, -0.7]), a).data), [4, 2, 2, 6]);
  assert.throws(() => hessian(q)({ x: tensor([1]) } as unknown as Tensor, a), /hessian: expects a single Tensor as the first argument, got object/);
});
