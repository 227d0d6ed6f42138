/** The building blocks' formulas on hand-checkable inputs (PyTorch/optax conventions). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor } from '../tensor/tensor.ts';
import type { Tree } from '../tensor/tree.ts';
import { addDecayedWeights, adamw, applyUpdates, chain, clipByGlobalNorm, ema, emaParams, momentum, nesterov, rmsprop, scaleByAdam, sgd } from './index.ts';
import type { GradientTransformation } from './transform.ts';

const v = (...xs: number[]): Tensor => new Tensor(Float64Array.from(xs), [xs.length]);
const arr = (t: Tree): number[] => [...(t as Tensor).data];
const close = (a: number[], b: number[], what: string): void =>
  a.forEach((x, i) => assert.ok(Math.abs(x - b[i]!) <= 1e-14 * Math.max(1, Math.abs(b[i]!)), `${what}[${i}]: ${x} vs ${b[i]}`));

/** Runs t on a fixed gradient sequence from fixed params; returns the updates. */
function run(t: GradientTransformation<any>, params: Tensor, grads: Tensor[]): number[][] {
  let s = t.init(params);
  let p = params;
  return grads.map((g, step) => {
    const [u, n] = t.update(g, s, { params: p, step });
    s = n;
    p = applyUpdates(p, u);
    return arr(u);
  });
}

test('sgd, momentum and nesterov follow PyTorch', () => {
  const g = v(1, -2);
  assert.deepEqual(run(sgd(0.1), v(0, 0), [g])[0], [-0.1, 0.2]);
  close(run(sgd(0.1, { weightDecay: 0.5 }), v(2, 4), [g])[0]!, [-0.1 * (1 + 1), -0.1 * (-2 + 2)], 'sgd wd');
  const m = run(momentum(0.1, 0.9), v(0, 0), [g, g, g]);
  close(m[2]!, [-0.1 * (1 + 0.9 + 0.81), 0.2 * (1 + 0.9 + 0.81)], 'momentum buf = μ·buf + g');
  const n = run(nesterov(0.1, 0.9), v(0, 0), [g, g]);
  close(n[0]!, [-0.1 * 1.9, 0.2 * 1.9], 'nesterov step 0: g + μ·g');
  close(n[1]!, [-0.1 * (1 + 0.9 * 1.9), 0.2 * (1 + 0.9 * 1.9)], 'nesterov step 1: g + μ(μg + g)');
});

test('adam, adamw and rmsprop on hand-computed steps', () => {
  const [g1, g2] = [v(0.5, -3), v(-1, 2)];
  const u = run(chain(scaleByAdam({ eps: 0 })), v(0, 0), [g1, g2]);
  close(u[0]!, [1, -1], 'adam step 1 is sign(g) (eps 0)');
  const m = [0.1 * 0.9 * 0.5 + 0.1 * -1, 0.1 * 0.9 * -3 + 0.1 * 2];
  const s = [0.001 * 0.999 * 0.25 + 0.001 * 1, 0.001 * 0.999 * 9 + 0.001 * 4];
  close(
    u[1]!,
    m.map((mi, i) => mi / (1 - 0.81) / Math.sqrt(s[i]! / (1 - 0.999 ** 2))),
    'adam step 2 with bias correction',
  );
  const w = run(adamw(0.1, { weightDecay: 0.5, eps: 0 }), v(2, -4), [g1]);
  close(w[0]!, [-0.1 * (1 + 0.5 * 2), -0.1 * (-1 + 0.5 * -4)], 'adamw: decoupled decay');
  const r = run(rmsprop(0.01), v(0, 0), [g1]);
  close(
    r[0]!,
    [0.5, -3].map((x) => (-0.01 * x) / (Math.sqrt(0.01 * x * x) + 1e-8)),
    'rmsprop step 1',
  );
  close(run(chain(addDecayedWeights(0.25)), v(4, 8), [v(0, 0)])[0]!, [1, 2], 'addDecayedWeights adds wd·θ');
});

test('clipByGlobalNorm scales only above the threshold', () => {
  const tree = { a: v(3), b: v(4) }; // norm 5
  const t = clipByGlobalNorm(1);
  const [u] = t.update(tree, t.init(tree), { params: tree, step: 0 });
  close([...arr((u as typeof tree).a), ...arr((u as typeof tree).b)], [0.6, 0.8], 'clipped to norm 1');
  const big = clipByGlobalNorm(10);
  assert.equal(big.update(tree, big.init(tree), { params: tree, step: 0 })[0], tree, 'unchanged below the threshold');
});

test('ema averages the post-update parameters, leaves the updates alone, and emaParams finds it', () => {
  const t = chain(sgd(1), ema(0.5));
  let p = v(0);
  let s = t.init(p);
  for (const g of [v(-2), v(-2)]) {
    const [u, n] = t.update(g, s, { params: p, step: 0 });
    assert.deepEqual(arr(u), [2], 'updates pass through');
    p = applyUpdates(p, u);
    s = n;
  }
  // θ: 0 → 2 → 4; θ̃: 0 → 0.5·0 + 0.5·2 = 1 → 0.5·1 + 0.5·4 = 2.5
  assert.deepEqual(arr(emaParams(s)), [2.5]);
});
