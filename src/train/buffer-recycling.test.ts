import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor } from '../tensor/tensor.ts';
import * as random from '../tensor/random.ts';
import { batchNorm1d, linear, relu, sequential } from '../nn/index.ts';
import { adam, kfac, momentum } from '../optim/aliases.ts';
import { clearRecycled, recycle, takeRecycled } from '../tensor/buffer-pool.ts';
import { allocateUninitialized } from '../tensor/arena.ts';
import { train, type TrainerOptions } from './trainer.ts';
import { chain } from '../optim/chain.ts';
import type { GradientTransformation } from '../optim/transform.ts';
import { treeMap, type Tree } from '../tensor/tree.ts';
import { add, mul, sub } from '../tensor/ops.ts';

// Layers big enough (64×256 float64 = 128 KiB) for their buffers to enter the pool.
const wide = () => sequential('wide', [
  linear({ name: 'dense0', in: 64, out: 256 }),
  batchNorm1d({ name: 'bn0', features: 256 }),
  relu({ name: 'act0' }),
  linear({ name: 'dense1', in: 256, out: 3 }),
]);

function data(n: number, seed: number): { x: Tensor; y: Tensor } {
  const [a, b] = random.split(random.key(seed));
  return { x: random.normal(a!, [n, 64]), y: random.randint(b!, 0, 3, [n]) };
}

const options = (optimizer: TrainerOptions['optimizer'], extra: Partial<TrainerOptions> = {}): TrainerOptions =>
  ({ model: wide(), optimizer, train: data(1200, 1), test: data(200, 2), batchSize: 1100, steps: 12, evalEvery: 4, seed: 3, ...extra }) as TrainerOptions;

for (const [name, make] of [['Adam', () => adam(1e-3)], ['momentum', () => momentum(0.05)], ['K-FAC', () => kfac(0.05, { inverseEvery: 3 })]] as const) {
  test(`${name}: recycling buffers changes nothing in the results (metrics, params, state), and the pool is used`, () => {
    clearRecycled();
    const off = train(options(make(), { recycleBuffers: false }));
    const on = train(options(make()));
    assert.equal(JSON.stringify(on.metrics), JSON.stringify(off.metrics));
    assert.deepEqual(on.state, off.state);
    // The pool now holds buffers the run handed back (batch 1100×64 and 64×256 leaves are > 64 KiB).
    assert.ok(takeRecycled('float64', 64 * 256) || takeRecycled('float64', 1100 * 64), 'some buffer was recycled');
  });
}

test('an array a state keeps across steps (an anchor at the initial params) is live and never recycled', () => {
  // A pull towards the starting point: the state holds the initial params for the whole run, so
  // every state shares those buffers; recycling them would let Adam's outputs overwrite the anchor.
  const anchorPull: GradientTransformation<{ anchor: Tree }> = {
    name: 'anchor', init: (p) => ({ anchor: p }),
    update: (g, s, ctx) => [treeMap((gi, p, a) => add(gi, mul(sub(p, a), 0.1)), g, ctx.params, s.anchor), s],
  };
  const make = () => chain(anchorPull, adam(1e-2));
  clearRecycled();
  const off = train(options(make(), { recycleBuffers: false }));
  const on = train(options(make()));
  assert.equal(JSON.stringify(on.metrics), JSON.stringify(off.metrics));
  assert.deepEqual(on.state, off.state);
});

test('what a hook reads through its view is never recycled, even if it keeps it for later', () => {
  clearRecycled();
  const kept: { step: number; w: number[] }[] = [];
  const snap = (p: unknown): number[] => [...((p as { w: Tensor }[])[0]!.w.data)];
  const hooks = [{ name: 'keep', every: 3, afterStep: (v: { step: number; params: unknown }) => void kept.push({ step: v.step, w: snap(v.params), ref: v.params } as never) }];
  const r = train(options(adam(1e-3), { hooks: hooks as never }));
  assert.ok(r.step === 12 && kept.length === 4);
  // The retained trees still hold what they held when the hook saw them.
  for (const k of kept as unknown as { w: number[]; ref: unknown }[]) assert.deepEqual(snap(k.ref), k.w);
  // A caller-provided starting state is the caller's: untouched by the run.
  const start = train(options(adam(1e-3), { steps: 2 })).state;
  const before = JSON.stringify(start.params);
  train(options(adam(1e-3), { state: start, steps: 6 }));
  assert.equal(JSON.stringify(start.params), before);
});

test('the pool takes only large arrays that own their buffer, once each, and hands them back by dtype and length', () => {
  clearRecycled();
  const big = new Float64Array(10000);
  const view = new Float64Array(new ArrayBuffer(8 * 20000), 8 * 100, 10000);
  const small = new Float64Array(100);
  assert.equal(recycle([big, big, view, small]), 1);
  assert.equal(takeRecycled('float32', 10000), undefined);
  assert.equal(takeRecycled('float64', 9999), undefined);
  assert.equal(takeRecycled('float64', 10000), big);
  assert.equal(takeRecycled('float64', 10000), undefined);
  recycle([big]);
  assert.equal(allocateUninitialized('float64', 10000), big, 'allocateUninitialized reuses a pooled buffer');
});
