import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor, add, matmul, mul, sum, tanh, tensor, treeMap, type Tree } from '../index.ts';
import * as random from '../tensor/random.ts';
import { batchNorm1d, linear, relu, sequential } from '../nn/index.ts';
import { adam, kfac, momentum, sgd } from '../optim/aliases.ts';
import type { GradientTransformation, UpdateCtx } from '../optim/transform.ts';
import { stepBatches } from '../data/step-batches.ts';
import { makeTrainStep } from './train-step.ts';
import { train } from './trainer.ts';
import { tinyData, tinyModel } from '../../test/fixtures/tiny-training.ts';

const bnMlp = () =>
  sequential('bn-mlp', [
    linear({ name: 'dense0', in: 4, out: 12 }),
    batchNorm1d({ name: 'bn0', features: 12 }),
    relu({ name: 'act0' }),
    linear({ name: 'dense1', in: 12, out: 3 }),
  ]);

for (const [name, make] of [
  ['momentum SGD', () => momentum(0.05, 0.9)],
  ['Adam', () => adam(3e-3)],
  ['K-FAC', () => kfac(0.05, { damping: 0.05, inverseEvery: 3 })],
] as const) {
  test(`${name}: two train calls (the second given the first's state) equal one uninterrupted call, byte for byte`, () => {
    const { train: data, test: held } = tinyData();
    const base = { model: bnMlp(), train: data, test: held, batchSize: 16, seed: 5, evalEvery: 10 };
    const full = train({ ...base, optimizer: make(), steps: 37 });
    const first = train({ ...base, optimizer: make(), steps: 20 });
    const second = train({ ...base, optimizer: make(), steps: 17, state: first.state });
    assert.equal(second.step, 37);
    assert.equal(JSON.stringify([...first.metrics, ...second.metrics]), JSON.stringify(full.metrics));
    assert.deepEqual(second.params, full.params);
    assert.ok(Object.keys(second.modelState).includes('bn0'), 'BatchNorm running statistics are carried in the state');
    assert.notDeepEqual(first.modelState, bnMlp().initState(), 'the first call updated the BatchNorm statistics');
  });
}

test('two models stepped in lockstep with makeTrainStep see identical batches', () => {
  const { train: data } = tinyData();
  const batcher = stepBatches(data, 16, random.key(9));
  const seen: [number[][], number[][]] = [[], []];
  const record = (i: 0 | 1) => ({
    ...tinyModel,
    apply: (p: Parameters<typeof tinyModel.apply>[0], x: Tensor, ctx?: Parameters<typeof tinyModel.apply>[2]) => {
      seen[i].push([...x.data.subarray(0, 8)]);
      return tinyModel.apply(p, x, ctx);
    },
  });
  const stepA = makeTrainStep({ model: record(0), optimizer: sgd(0.1) });
  const stepB = makeTrainStep({ model: record(1), optimizer: adam(1e-2) });
  let a = stepA.init(random.key(1));
  let b = stepB.init(random.key(2));
  for (let s = 0; s < 12; s++) {
    const batch = batcher.at(s);
    a = stepA(a, batch, random.foldIn(random.key(3), s)).state;
    b = stepB(b, batch, random.foldIn(random.key(4), s)).state;
  }
  assert.equal(seen[0].length, 12);
  assert.deepEqual(seen[0], seen[1]);
  assert.notDeepEqual(a.params, b.params);
  // An epoch boundary is crossed (96 / 16 = 6 steps per epoch) and the batcher reshuffles.
  assert.notDeepEqual(batcher.at(0).indices, batcher.at(6).indices);
});

test('the loss oracle (needs: loss) hands the optimizer the step loss, and the hvp oracle exact Hessian-vector products', () => {
  const { train: data } = tinyData();
  const seen: { loss?: number; hvDot?: number; vHv?: number }[] = [];
  const probe: GradientTransformation<Record<string, never>> = {
    name: 'probe',
    needs: ['loss', 'hvp'],
    init: () => ({}),
    update: (g: Tree, s, ctx: UpdateCtx) => {
      const v = treeMap((x) => mul(x, 0), g);
      const hv0 = ctx.hvp!(v) as Record<string, Tensor>;
      const hv = ctx.hvp!(g) as Record<string, Tensor>;
      const gg = g as Record<string, Tensor>;
      seen.push({ loss: ctx.loss!.item(), hvDot: sum(hv0['w1']!).item(), vHv: sum(mul(hv['w1']!, gg['w1']!)).item() + sum(mul(hv['w2']!, gg['w2']!)).item() });
      return [treeMap((x) => mul(x, -0.1), g), s];
    },
  };
  const step = makeTrainStep({ model: tinyModel, optimizer: probe });
  const state = step.init(random.key(0));
  const batch = stepBatches(data, 32, random.key(1)).at(0);
  const r = step(state, batch, random.key(2));
  assert.equal(seen[0]!.loss, r.loss);
  assert.equal(seen[0]!.hvDot, 0);
  // gᵀHg by central differences of the directional derivative t ↦ L(θ + t·g).
  const lossAt = (t: number): number => {
    const p = treeMap((x, g) => add(x, mul(g, t)), state.params, r.grads) as typeof state.params;
    return step({ ...state, params: p }, batch, random.key(2)).loss;
  };
  const h = 1e-4;
  const fd = (lossAt(h) - 2 * lossAt(0) + lossAt(-h)) / (h * h);
  assert.ok(Math.abs(seen[0]!.vHv! - fd) < 1e-4 * Math.max(1, Math.abs(fd)), `gᵀHg ${seen[0]!.vHv} vs finite differences ${fd}`);
});

test('a regularizer sees the params: loss = data loss + term, and its gradient is included', () => {
  const { train: data } = tinyData();
  const batch = stepBatches(data, 32, random.key(1)).at(0);
  const plain = makeTrainStep({ model: tinyModel, optimizer: sgd(0.1) });
  const reg = makeTrainStep({ model: tinyModel, optimizer: sgd(0.1), regularizer: (p) => mul(sum(mul(p.w1, p.w1)), 0.5) });
  const state = plain.init(random.key(0));
  const a = plain(state, batch, random.key(2));
  const b = reg(state, batch, random.key(2));
  const w1 = state.params.w1;
  assert.equal(b.dataLoss, a.loss);
  assert.ok(Math.abs(b.loss - a.loss - 0.5 * sum(mul(w1, w1)).item()) < 1e-12);
  const diff = add(b.grads.w1, mul(a.grads.w1, -1));
  assert.ok(Math.max(...[...diff.data].map((v, i) => Math.abs(v - w1.data[i]!))) < 1e-12, 'the gradient of ½‖w1‖² is w1');
});

test('bad input: a state from another optimizer or model is refused before the first step', () => {
  const { train: data, test: held } = tinyData();
  const base = { model: tinyModel, train: data, test: held, batchSize: 16, seed: 1 };
  const adamRun = train({ ...base, optimizer: adam(1e-2), steps: 3 });
  assert.throws(
    () => train({ ...base, optimizer: momentum(0.1), steps: 3, state: adamRun.state }),
    /state\.optState was not made by optimizer 'momentum\(lr=0\.1, mu=0\.9\)': \(root\) should be an array of 2, got array of 3/,
  );
  let calls = 0;
  const other = { ...bnMlp(), apply: (...args: Parameters<ReturnType<typeof bnMlp>['apply']>) => (calls++, bnMlp().apply(...args)) };
  assert.throws(
    () => train({ ...base, model: other, optimizer: adam(1e-2), steps: 3, state: adamRun.state as never }),
    /state\.params do not belong to model 'bn-mlp'/,
  );
  assert.equal(calls, 0, 'no step ran');
  assert.throws(() => train({ ...base, optimizer: adam(1e-2), steps: 3, state: { ...adamRun.state, step: -1 } }), /state\.step must be a non-negative integer/);
  assert.throws(() => train({ ...base, optimizer: adam(1e-2), steps: 3, state: adamRun.state, params: adamRun.params }), /either params .* or state/);
  const withMap = { ...adamRun.state, params: new Map([['w1', tensor([1])]]) as never };
  assert.throws(() => train({ ...base, optimizer: adam(1e-2), steps: 3, state: withMap }), /state\.params do not belong to model 'tiny-mlp': w1 is missing/);
});

test('float32: the same run trains in float32 end to end (params, features, loss)', () => {
  const { train: data, test: held } = tinyData();
  const r = train({ model: tinyModel, optimizer: adam(1e-2), train: data, test: held, batchSize: 16, steps: 30, seed: 2, evalEvery: 10, dtype: 'float32' });
  assert.equal(r.params.w1.dtype, 'float32');
  const r64 = train({ model: tinyModel, optimizer: adam(1e-2), train: data, test: held, batchSize: 16, steps: 30, seed: 2, evalEvery: 10 });
  assert.equal(r64.params.w1.dtype, 'float64');
  const acc = (m: typeof r.metrics) => m.at(-1)!['testAccuracy']!;
  assert.ok(Math.abs(acc(r.metrics) - acc(r64.metrics)) <= 0.05, `float32 ${acc(r.metrics)} vs float64 ${acc(r64.metrics)}`);
  assert.notEqual(JSON.stringify(r.metrics), JSON.stringify(r64.metrics), 'float32 rounding shows in the metrics');
});

void tanh;
void matmul;

test('a custom loop saved with saveTree and read back with loadTree continues byte for byte (Adam, BatchNorm)', async () => {
  const { mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { saveTree, loadTree } = await import('./tree-io.ts');
  const { train: data } = tinyData();
  const step = makeTrainStep({ model: bnMlp(), optimizer: adam(3e-3) });
  const batches = stepBatches(data, 16, random.key(7));
  const run = (state: ReturnType<typeof step.init>, from: number, to: number) => {
    const losses: number[] = [];
    for (let s = from; s < to; s++) {
      const r = step(state, batches.at(s), random.foldIn(random.key(8), s));
      state = r.state;
      losses.push(r.loss);
    }
    return { state, losses };
  };
  const full = run(step.init(random.key(1)), 0, 20);
  const first = run(step.init(random.key(1)), 0, 9);
  const path = join(mkdtempSync(join(tmpdir(), 'trainscope-step-')), 'state.json');
  saveTree(path, first.state);
  const loaded = loadTree(path, first.state);
  step.check(loaded);
  const second = run(loaded, 9, 20);
  assert.deepEqual([...first.losses, ...second.losses], full.losses);
  assert.deepEqual(second.state, full.state);
});
