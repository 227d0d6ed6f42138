/** HVP on a 2-layer tanh MLP equals the explicit Hessian (built column by column) times v. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor, tensor, grad, hvp, random, matmul, tanh, add, mse, reshape, treeFlatten } from '../src/index.ts';

type Params = { w1: Tensor; b1: Tensor; w2: Tensor; b2: Tensor };

test('hvp of a 2-layer tanh MLP equals the explicit Hessian times v (1e-10)', () => {
  const [k1, k2, k3, k4, k5, k6] = random.split(random.key(7), 6);
  const params: Params = {
    w1: random.normal(k1!, [3, 5], { std: 0.7 }),
    b1: random.normal(k2!, [5], { std: 0.1 }),
    w2: random.normal(k3!, [5, 2], { std: 0.7 }),
    b2: random.normal(k4!, [2], { std: 0.1 }),
  };
  const x = random.normal(k5!, [6, 3]);
  const y = random.normal(k6!, [6, 2]);
  const loss = (p: Params) => mse(add(matmul(tanh(add(matmul(x, p.w1), p.b1)), p.w2), p.b2), y);

  const { leaves, unflatten } = treeFlatten(params);
  const sizes = leaves.map((l) => l.size);
  const total = sizes.reduce((a, b) => a + b, 0);
  const unit = (j: number): Params => {
    let offset = 0;
    return unflatten(
      leaves.map((l, i) => {
        const d = new Float64Array(sizes[i]!);
        if (j >= offset && j < offset + sizes[i]!) d[j - offset] = 1;
        offset += sizes[i]!;
        return new Tensor(d, l.shape);
      }),
    );
  };
  const flat = (p: Params) => Float64Array.from(treeFlatten(p).leaves.flatMap((t) => [...t.data]));

  // Explicit Hessian: column j = ∂/∂θ_j of the gradient (reverse over reverse on e_j).
  const hessian: Float64Array[] = [];
  for (let j = 0; j < total; j++) {
    const e = unit(j);
    const col = grad((p: Params) => {
      const gr = grad(loss)(p);
      const gl = treeFlatten(gr).leaves;
      const el = treeFlatten(e).leaves;
      return gl.reduce((acc: Tensor, gi, i) => add(acc, matmul(reshape(gi, [gi.size]), reshape(el[i]!, [gi.size]))), tensor(0));
    })(params);
    hessian.push(flat(col));
  }
  // Symmetric, as a Hessian must be.
  for (let i = 0; i < total; i++) for (let j = 0; j < i; j++) assert.ok(Math.abs(hessian[i]![j]! - hessian[j]![i]!) < 1e-12);

  const v = unflatten(leaves.map((l, i) => random.normal(random.foldIn(random.key(3), i), l.shape)));
  const vFlat = flat(v);
  const hv = flat(hvp(loss, params, v));
  for (let i = 0; i < total; i++) {
    let expected = 0;
    for (let j = 0; j < total; j++) expected += hessian[j]![i]! * vFlat[j]!;
    assert.ok(Math.abs(hv[i]! - expected) <= 1e-10 * Math.max(1, Math.abs(expected)), `component ${i}: ${hv[i]} vs ${expected}`);
  }
});
