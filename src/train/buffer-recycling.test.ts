import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor } from '../tensor/tensor.ts';
import * as random from '../tensor/random.ts';
import { batchNorm1d, linear, relu, sequential } from '../nn/index.ts';
import { adam, kfac, momentum } from '../optim/aliases.ts';
import { clearRecycled, ownAllocations, recycle, stats, takeRecycled } from '../tensor/buffer-pool.ts';
import { allocateUninitialized } from '../tensor/arena.ts';
import { train, type TrainerOptions } from './trainer.ts';
import { chain } from '../optim/chain.ts';
import type { GradientTransformation } from '../optim/transform.ts';
import { treeMap, type Tree } from '../tensor/tree.ts';
import { add, mul } from '../tensor/ops.ts';

// Layers big enough (64×256 float64 = 128 KiB) for their buffers to enter the pool.
const wide = () =>
  sequential('wide', [
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

for (const [name, make] of [
  ['Adam', () => adam(1e-3)],
  ['momentum', () => momentum(0.05)],
  ['K-FAC', () => kfac(0.05, { inverseEvery: 3 })],
] as const) {
  test(`${name}: recycling buffers changes nothing in the results (metrics, params, state), and the pool is used`, () => {
    clearRecycled();
    const off = train(options(make(), { recycleBuffers: false }));
    const before = { ...stats };
    const on = train(options(make()));
    assert.equal(JSON.stringify(on.metrics), JSON.stringify(off.metrics));
    assert.deepEqual(on.state, off.state);
    // The run handed buffers back and reused them (batch 1100×64 and 64×256 leaves are > 64 KiB).
    assert.ok(
      stats.recycled > before.recycled && stats.reused > before.reused,
      `recycled ${stats.recycled - before.recycled}, reused ${stats.reused - before.reused}`,
    );
    assert.equal(takeRecycled('float64', 64 * 256), undefined, 'the pool is emptied when the run ends');
  });
}

test('an array a state keeps across steps (the first gradient, made inside a step) is live and never recycled', () => {
  // The state keeps step 0's gradient for the whole run; every later state shares those buffers,
  // and recycling them would let later outputs overwrite it.
  type S = { first: Tree | null };
  const firstGradPull: GradientTransformation<S> = {
    name: 'first-grad',
    init: () => ({ first: null }),
    update: (g, s) => {
      const first = s.first ?? g;
      return [treeMap((gi, f) => add(gi, mul(f, 0.5)), g, first), { first }];
    },
  };
  const make = () => chain(firstGradPull, adam(1e-2));
  clearRecycled();
  const off = train(options(make(), { recycleBuffers: false }));
  const on = train(options(make()));
  assert.equal(JSON.stringify(on.metrics), JSON.stringify(off.metrics));
  assert.deepEqual(on.state, off.state);
});

test('what a hook reads through its view is never recycled, even if it keeps it for later', () => {
  clearRecycled();
  const kept: { step: number; w: number[] }[] = [];
  const snap = (p: unknown): number[] => [...(p as { w: Tensor }[])[0]!.w.data];
  const hooks = [
    {
      name: 'keep',
      every: 3,
      afterStep: (v: { step: number; params: unknown }) => void kept.push({ step: v.step, w: snap(v.params), ref: v.params } as never),
    },
  ];
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

test('the pool takes only large arrays allocated inside a step that own their buffer, once each, and hands them back by dtype and length', () => {
  clearRecycled();
  const outside = allocateUninitialized('float64', 10000);
  const big = ownAllocations(() => allocateUninitialized('float64', 10000));
  const view = new Float64Array(new ArrayBuffer(8 * 20000), 8 * 100, 10000);
  const small = ownAllocations(() => allocateUninitialized('float64', 100));
  assert.equal(recycle([outside, new Float64Array(10000)]), 0, 'arrays not allocated inside a step are never taken');
  assert.equal(recycle([big, big, view, small]), 1);
  assert.equal(takeRecycled('float32', 10000), undefined);
  assert.equal(takeRecycled('float64', 9999), undefined);
  assert.equal(takeRecycled('float64', 10000), big);
  assert.equal(takeRecycled('float64', 10000), undefined);
  recycle([big]);
  assert.equal(allocateUninitialized('float64', 10000), big, 'allocateUninitialized reuses a pooled buffer');
  clearRecycled();
});

test('tensors made before the run are never recycled: pretrained weights returned by model.init, constants an optimizer was built with', () => {
  clearRecycled();
  const pretrained = wide().init(random.key(11));
  const snapshot = JSON.stringify(pretrained);
  const model = { ...wide(), init: () => pretrained };
  // A transformation built around a constant (here: zero updates for the first layer, a "freeze").
  const frozen = pretrained as unknown as { w: Tensor }[];
  const zeroW = new Tensor(new Float64Array(frozen[0]!.w.size), frozen[0]!.w.shape);
  const freeze: GradientTransformation<Record<string, never>> = {
    name: 'freeze-first',
    init: () => ({}),
    update: (g, s) => [(g as unknown as Tree[]).map((layer, i) => (i === 0 ? { ...(layer as object), w: zeroW } : layer)) as unknown as Tree, s],
  };
  const on = train(options(chain(adam(1e-3), freeze), { model: model as never }));
  const off = train(options(chain(adam(1e-3), freeze), { model: model as never, recycleBuffers: false }));
  assert.equal(JSON.stringify(pretrained), snapshot, 'the pretrained tensors are untouched');
  assert.ok(
    zeroW.data.every((v) => v === 0),
    "the optimizer's constant is untouched",
  );
  assert.equal(JSON.stringify(on.metrics), JSON.stringify(off.metrics));
});

test('a view kept past its hook expires with a clear error; what was read inside stays valid', () => {
  let kept: { params: unknown } | undefined;
  let read: unknown;
  train(
    options(adam(1e-3), {
      steps: 6,
      hooks: [
        {
          name: 'keep',
          afterStep: (v) => {
            if (v.step === 2) {
              kept = v;
              read = v.params;
            }
          },
        },
      ],
    }),
  );
  assert.throws(() => kept!.params, /this StepView \(step 2\) has expired; read params inside the hook/);
  assert.ok(Array.isArray(read));
});
