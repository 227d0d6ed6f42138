import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tensor, type Tensor } from '../tensor/tensor.ts';
import type { Tree } from '../tensor/tree.ts';
import { chain, applyUpdates } from './chain.ts';
import { adam, adamw, sgd } from './aliases.ts';
import { addDecayedWeights } from './weight-decay.ts';
import { scaleByLearningRate } from './scale.ts';
import { scaleByAdam } from './adam.ts';
import { masked, nonBiasMask } from './masked.ts';
import { multiSteps } from './multi-steps.ts';
import { injectHyperparams, injectedHyperparams } from './inject-hyperparams.ts';
import { cosine } from './schedules.ts';
import type { GradientTransformation } from './transform.ts';
import { train } from '../train/trainer.ts';
import { makeTrainStep } from '../train/train-step.ts';
import { stepBatches } from '../data/step-batches.ts';
import * as random from '../tensor/random.ts';
import { concat } from '../tensor/ops.ts';
import { tinyOptions } from '../../test/fixtures/tiny-training.ts';

const params = {
  dense: {
    w: tensor([
      [1, 2],
      [3, 4],
    ]),
    b: tensor([5, 6]),
  },
};
const grads = {
  dense: {
    w: tensor([
      [0.1, 0.1],
      [0.1, 0.1],
    ]),
    b: tensor([0.1, 0.1]),
  },
};
type P = typeof params;
const arr = (t: Tensor): number[] => [...t.data];

test('masked: weight decay on weights only (nonBiasMask); masked-out leaves pass their updates through', () => {
  const opt = chain(masked(addDecayedWeights(0.5), nonBiasMask), scaleByLearningRate(1));
  const [u] = opt.update(grads, opt.init(params), { params, step: 0 });
  const up = u as P;
  assert.deepEqual(arr(up.dense.w), [-(0.1 + 0.5), -(0.1 + 1), -(0.1 + 1.5), -(0.1 + 2)]);
  assert.deepEqual(arr(up.dense.b), [-0.1, -0.1], 'no decay on the bias');
  assert.deepEqual(nonBiasMask(params), { dense: { w: true, b: false } });
  // A stateful inner transformation keeps state only for the selected leaves.
  const m = masked(scaleByAdam(), { dense: { w: false, b: true } });
  const s = m.init(params) as { mu: Record<string, Tensor> };
  assert.deepEqual(Object.keys(s.mu), ['dense.b']);
  const [wU] = adamw(0.1, { weightDecay: 0.5, decayMask: nonBiasMask }).update(grads, adamw(0.1, { decayMask: nonBiasMask }).init(params), { params, step: 0 });
  const [aU] = adamw(0.1, { weightDecay: 0 }).update(grads, adamw(0.1, { weightDecay: 0 }).init(params), { params, step: 0 });
  assert.deepEqual(arr((wU as P).dense.b), arr((aU as P).dense.b), 'adamw decayMask: the bias is not decayed');
  assert.notDeepEqual(arr((wU as P).dense.w), arr((aU as P).dense.w), 'adamw decayMask: the weights are');
  assert.throws(() => masked(addDecayedWeights(0.1), { dense: { w: true } }).init(params), /masked: the mask has no entry for parameter dense\.b/);
  assert.throws(
    () => masked(addDecayedWeights(0.1), { dense: { w: true, b: false, c: true } }).init(params),
    /the mask has a leaf at dense\.c where the params have none/,
  );
});

test('multiSteps: k accumulated minibatch gradients give one inner step on their mean; zero updates between', () => {
  const g1 = {
    dense: {
      w: tensor([
        [1, 0],
        [0, 1],
      ]),
      b: tensor([1, 1]),
    },
  };
  const g2 = {
    dense: {
      w: tensor([
        [3, 0],
        [0, 3],
      ]),
      b: tensor([-1, 3]),
    },
  };
  const acc = multiSteps(adam(0.1), 2);
  let s = acc.init(params);
  let p: Tree = params;
  let u: Tree;
  [u, s] = acc.update(g1, s, { params: p, step: 0 });
  assert.deepEqual(arr((u as P).dense.w), [0, 0, 0, 0]);
  p = applyUpdates(p, u);
  [u, s] = acc.update(g2, s, { params: p, step: 1 });
  const ref = adam(0.1);
  const mean = {
    dense: {
      w: tensor([
        [2, 0],
        [0, 2],
      ]),
      b: tensor([0, 2]),
    },
  };
  const [refU] = ref.update(mean, ref.init(params), { params, step: 0 });
  assert.deepEqual(arr((u as P).dense.w), arr((refU as P).dense.w));
  assert.deepEqual(arr((u as P).dense.b), arr((refU as P).dense.b));
  assert.equal(s.innerStep, 1);
  assert.equal(s.miniStep, 0);
  const kfacLike: GradientTransformation = { name: 'needy', needs: ['layerStats'], init: () => ({}), update: (g, st) => [g, st] };
  assert.throws(() => multiSteps(kfacLike, 2), /multiSteps: inner 'needy' needs layerStats/);
  assert.throws(() => multiSteps(sgd(0.1), 0), /everyK/);
});

test('multiSteps in the trainer: k steps of batch B land where one step of batch k·B would (SGD, mean loss)', () => {
  const o = tinyOptions({ optimizer: multiSteps(sgd(0.2), 2), batchSize: 16, steps: 2, test: undefined, evalEvery: 0 });
  const accumulated = train(o);
  // The trainer's keys: [init, data, step] = split(key(seed), 3); batches 0 and 1 together are one batch of 32.
  const [initKey, dataKey] = random.split(random.key(o.seed!), 3);
  const batcher = stepBatches(o.train, 16, dataKey!);
  const [b0, b1] = [batcher.at(0), batcher.at(1)];
  const big = { x: concat([b0.x, b1.x], 0), y: concat([b0.y, b1.y], 0) };
  const step = makeTrainStep({ model: o.model, optimizer: sgd(0.2) });
  const once = step(step.init(initKey!), big, random.key(0)).state;
  const a = arr((accumulated.params as { w1: Tensor }).w1);
  const b = arr((once.params as { w1: Tensor }).w1);
  assert.ok(
    a.every((v, i) => Math.abs(v - b[i]!) < 1e-12),
    'same parameters up to rounding',
  );
  assert.notDeepEqual(a, arr((step.init(initKey!).params as { w1: Tensor }).w1));
});

test('injectHyperparams: the learning rate lives in the state, follows its schedule, can be edited, and the trainer logs it', () => {
  const opt = injectHyperparams((h: { learningRate: number }) => sgd(h.learningRate), { learningRate: 0.5 });
  let s = opt.init(params);
  assert.deepEqual(s.hyperparams, { learningRate: 0.5 });
  let u: Tree;
  [u, s] = opt.update(grads, s, { params, step: 0 });
  assert.deepEqual(arr((u as P).dense.b), [-0.05, -0.05]);
  [u, s] = opt.update(grads, { ...s, hyperparams: { learningRate: 0.1 } }, { params, step: 1 });
  assert.ok(Math.abs((u as P).dense.b.data[0]! + 0.01) < 1e-15, 'an edited hyperparameter sticks');
  assert.deepEqual(injectedHyperparams(s), { learningRate: 0.1 });

  const sched = injectHyperparams((h: { learningRate: number }) => adamw(h.learningRate), { learningRate: cosine(0.01, 10) });
  const r = train(tinyOptions({ optimizer: sched, steps: 10, logEvery: 1 }));
  const lrs = r.metrics.filter((m) => 'loss' in m).map((m) => m['learningRate']!);
  assert.equal(lrs.length, 10);
  assert.equal(lrs[0], 0.01);
  assert.ok(
    lrs.every((v, i) => i === 0 || v < lrs[i - 1]!),
    'the logged rate follows the cosine schedule',
  );
  assert.throws(() => injectHyperparams((h: { lr: number }) => sgd(h.lr), { lr: NaN }), /hyperparameter 'lr' must be a finite number or a schedule/);
  // Found inside wrappers too (multiSteps' inner state), so the trainer logs it and stopAt may name it.
  const wrapped = multiSteps(
    injectHyperparams((h: { learningRate: number }) => sgd(h.learningRate), { learningRate: 0.25 }),
    2,
  );
  assert.deepEqual(injectedHyperparams(wrapped.init(params)), { learningRate: 0.25 });
  const logged = train(tinyOptions({ optimizer: wrapped, steps: 4 }));
  assert.deepEqual(
    logged.metrics.filter((m) => 'loss' in m).map((m) => m['learningRate']),
    [0.25, 0.25, 0.25, 0.25],
  );
});
