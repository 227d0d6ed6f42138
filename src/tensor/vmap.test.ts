import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor, tensor } from './tensor.ts';
import { add, matmul, mul, reshape, sin, sum, tanh } from './ops.ts';
import { mse } from './composed.ts';
import { grad, vmap } from './transforms.ts';
import type { Tree } from './tree.ts';
import * as random from './random.ts';

type Params = { w1: Tensor; b1: Tensor; w2: Tensor; b2: Tensor };
const keys = random.split(random.key(0), 6);
const params: Params = {
  w1: random.normal(keys[0]!, [3, 5]),
  b1: random.normal(keys[1]!, [5]),
  w2: random.normal(keys[2]!, [5, 2]),
  b2: random.normal(keys[3]!, [2]),
};
const xs = random.normal(keys[4]!, [7, 3]);
const ys = random.normal(keys[5]!, [7, 2]);

/** An MLP's loss on one example: x [3], y [2]. */
const loss = (p: Params, x: Tensor, y: Tensor): Tensor => {
  const h = tanh(add(matmul(reshape(x, [1, 3]), p.w1), p.b1));
  return mse(add(matmul(h, p.w2), p.b2), reshape(y, [1, 2]));
};

const row = (t: Tensor, i: number): Tensor => {
  const n = t.size / t.shape[0]!;
  return tensor(t.data.slice(i * n, (i + 1) * n) as Float64Array, { shape: t.shape.slice(1) });
};

test('vmap(grad(loss)) gives per-example gradients: exactly a loop of grad over single examples', () => {
  const perExample = vmap(grad(loss), [null, 0, 0])(params, xs, ys);
  for (const key of ['w1', 'b1', 'w2', 'b2'] as const) {
    assert.deepEqual(perExample[key].shape, [7, ...params[key].shape], key);
    for (let i = 0; i < 7; i++) {
      const want = grad(loss)(params, row(xs, i), row(ys, i))[key];
      assert.deepEqual(Array.from(row(perExample[key], i).data), Array.from(want.data), `${key} example ${i}`);
    }
  }
});

test('vmap: other axes, negative axes, tree inputs and outputs, unmapped non-tensor arguments', () => {
  const a = random.normal(random.key(1), [2, 4, 3]);
  // Map axis 1 of a and axis −1 (= 0) of the vector b; c is a plain number, passed through.
  const f = (x: Tensor, y: Tensor, c: number) => ({ prod: mul(x, c), total: add(sum(x), y) });
  const out = vmap(f, [1, -1, null])(a, tensor([1, 2, 3, 4]), 2);
  assert.deepEqual(out.prod.shape, [4, 2, 3]);
  for (let i = 0; i < 4; i++) {
    for (let r = 0; r < 2; r++) {
      for (let c = 0; c < 3; c++) assert.equal(out.prod.data[(i * 2 + r) * 3 + c], 2 * a.data[(r * 4 + i) * 3 + c]!);
    }
  }
  assert.deepEqual(out.total.shape, [4]);
  // A tree argument: every leaf mapped along the same axis.
  const g = vmap((t: { u: Tensor; v: Tensor }) => sum(mul(t.u, t.v)))({
    u: tensor([
      [1, 2],
      [3, 4],
    ]),
    v: tensor([
      [5, 6],
      [7, 8],
    ]),
  });
  assert.deepEqual(Array.from(g.data), [17, 53]);
});

test('vmap is differentiable (the slices and the stack are traced)', () => {
  const x = random.normal(random.key(2), [5, 3]);
  const f = (z: Tensor) => sum(vmap((r: Tensor) => sum(sin(r)))(z));
  const gx = grad(f)(x);
  assert.deepEqual(Array.from(gx.data), Array.from(x.data, Math.cos));
});

test('vmap: clear errors for mismatched sizes, out-of-range axes, wrong inAxes', () => {
  const f = (a: Tensor, b: Tensor) => add(a, b);
  assert.throws(
    () => vmap(f)(tensor([1, 2, 3]), tensor([1, 2])),
    /vmap: mapped axis sizes differ: argument 0 leaf \(root\) has size 3 along axis 0, argument 1 leaf \(root\) has size 2 along axis 0/,
  );
  assert.throws(() => vmap(f, [0, 2])(tensor([1, 2]), tensor([[1, 2]])), /vmap: axis 2 is out of range for argument 1 leaf \(root\) of shape \[1, 2\]/);
  assert.throws(() => vmap(f, [0])(tensor([1]), tensor([1])), /vmap: inAxes has 1 entries for 2 argument\(s\)/);
  assert.throws(() => vmap(f, null)(tensor([1]), tensor([1])), /vmap: no argument is mapped/);
  assert.throws(() => vmap((t: Tree) => t)(tensor(new Float64Array(0), { shape: [0, 2] })), /vmap: the mapped axis has size 0/);
});
