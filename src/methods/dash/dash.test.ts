import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor, tensor } from '../../tensor/tensor.ts';
import * as random from '../../tensor/random.ts';
import { treeFlatten } from '../../tensor/tree.ts';
import { linear } from '../../nn/linear.ts';
import { conv2d } from '../../nn/conv2d.ts';
import { batchNorm1d } from '../../nn/norm.ts';
import { relu } from '../../nn/activations.ts';
import { sequential } from '../../nn/sequential.ts';
import { momentum } from '../../optim/aliases.ts';
import { train } from '../../train/trainer.ts';
import type { Examples } from '../../train/train-step.ts';
import { dashShrink } from './shrink.ts';
import { weightSites } from './sites.ts';
import { dashStep } from './dash.ts';
import { negativeGradientEma } from './gradient-ema.ts';
import { splitChunks, unionOf } from './chunks.ts';
import { chunkKeys, runWarmStart, type WarmStartOptions } from './protocol.ts';
import { shrinkPerturb } from '../shrink-perturb/shrink-perturb.ts';

const cos = (a: number[], b: number[]): number => {
  const dot = a.reduce((s, v, i) => s + v * b[i]!, 0);
  return dot / (Math.hypot(...a) * Math.hypot(...b));
};
const clamp = (v: number, lo: number): number => Math.min(1, Math.max(lo, v));

test('DASH shrink on a hand-built linear layer: one scale per output column, one for the bias (by hand)', () => {
  const model = linear({ name: 'fc', in: 2, out: 3 });
  // w [in=2, out=3]: unit o is column o.
  const params = {
    w: tensor([
      [1, 0, 2],
      [0, 1, -1],
    ]),
    b: tensor([0.5, -0.5, 1]),
  };
  const g = {
    w: tensor([
      [1, 1, -2],
      [1, 0, 1],
    ]),
    b: tensor([1, 0, 0]),
  };
  const sites = weightSites(model, params, tensor([[0, 0]]));
  const lambda = 0.3;
  const { params: out, scales } = dashShrink(params, g, sites, lambda);
  const cols = [
    [1, 0],
    [0, 1],
    [2, -1],
  ];
  const gcols = [
    [1, 1],
    [1, 0],
    [-2, 1],
  ];
  const s = cols.map((c, o) => clamp(cos(c, gcols[o]!), lambda));
  // by hand: cos = 1/√2 ≈ 0.707, 0, −1 → 0.707, λ, λ
  assert.ok(Math.abs(s[0]! - Math.SQRT1_2) < 1e-12 && s[1] === lambda && s[2] === lambda);
  assert.deepEqual(scales['w'], s);
  const w = out.w.toArray() as number[][];
  for (let o = 0; o < 3; o++) for (let i = 0; i < 2; i++) assert.ok(Math.abs(w[i]![o]! - s[o]! * cols[o]![i]!) < 1e-15);
  const sb = clamp(cos([0.5, -0.5, 1], [1, 0, 0]), lambda); // 0.5/√1.5 ≈ 0.408
  assert.ok(Math.abs(scales['b']![0]! - sb) < 1e-15 && sb > lambda);
  assert.deepEqual(out.b.toArray(), [0.5 * sb, -0.5 * sb, 1 * sb]);
});

test('DASH shrink on a conv weight scales each (o, c) kernel slice separately', () => {
  const model = conv2d({ name: 'conv', inChannels: 2, outChannels: 2, kernel: 2 });
  const w = random.normal(random.key(1), [2, 2, 2, 2]);
  const gw = random.normal(random.key(2), [2, 2, 2, 2]);
  const b = tensor([1, 2]);
  const params = { w, b };
  const sites = weightSites(model, params, random.normal(random.key(3), [1, 2, 3, 3]));
  assert.equal(sites[0]!.type, 'conv2d');
  const lambda = 0.1;
  const { params: out, scales } = dashShrink(params, { w: gw, b: tensor([-1, 0]) }, sites, lambda);
  assert.equal(scales['w']!.length, 4);
  const wd = Array.from(w.data);
  const gd = Array.from(gw.data);
  for (let slice = 0; slice < 4; slice++) {
    const idx = [0, 1, 2, 3].map((k) => slice * 4 + k);
    const s = clamp(
      cos(
        idx.map((i) => wd[i]!),
        idx.map((i) => gd[i]!),
      ),
      lambda,
    );
    assert.ok(Math.abs(scales['w']![slice]! - s) < 1e-12);
    for (const i of idx) assert.ok(Math.abs(out.w.data[i]! - s * wd[i]!) < 1e-12);
  }
  // cos([1, 2], [−1, 0]) < 0 → λ.
  assert.deepEqual(scales['b'], [lambda]);
});

const bnModel = () =>
  sequential('m', [
    linear({ name: 'd0', in: 4, out: 8 }),
    batchNorm1d({ name: 'bn0', features: 8 }),
    relu({ name: 'a0' }),
    linear({ name: 'd1', in: 8, out: 3 }),
  ]);

function toyData(n: number, key = random.key(7)): Examples {
  const x = random.normal(key, [n, 4]);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) y[i] = (x.data[4 * i]! > 0 ? 1 : 0) + (x.data[4 * i + 1]! > 0.5 ? 1 : 0);
  return { x, y: new Tensor(y, [n], 'int32') };
}

test('DASH leaves BatchNorm parameters and statistics untouched, and λ = 1 changes nothing', () => {
  const model = bnModel();
  const data = toyData(64);
  const r = train({ model, optimizer: momentum(0.05), train: data, batchSize: 16, steps: 12, seed: 1, logEvery: 0 });
  const chunks = splitChunks(data, 2, random.key(4));
  const sites = weightSites(model, r.params, data.x, r.modelState);
  assert.deepEqual(
    sites.map((s) => s.name),
    ['d0', 'd1'],
  );
  const statsBefore = JSON.stringify(treeFlatten(r.modelState as any).leaves.map((t) => Array.from(t.data)));
  const d = dashStep(model, r.params, r.modelState, chunks, sites, { lambda: 0.3, alpha: 0.3 });
  assert.equal(JSON.stringify(treeFlatten(r.modelState as any).leaves.map((t) => Array.from(t.data))), statsBefore);
  assert.deepEqual(d.params[1], r.params[1], 'BatchNorm affine params are not shrunk');
  assert.notDeepEqual(d.params[0], r.params[0], 'λ = 0.3 shrinks something');
  assert.equal(d.batches, 2);
  const same = dashStep(model, r.params, r.modelState, chunks, sites, { lambda: 1, alpha: 0.3 });
  assert.deepEqual(same.params, r.params);
});

test('the gradient EMA weighs the newest batch α and older ones α(1 − α)^age', () => {
  const model = bnModel();
  const data = toyData(32);
  const params = model.init(random.key(2));
  const state = model.initState();
  const chunks = splitChunks(data, 2, random.key(4));
  const alpha = 0.4;
  const g = (c: Examples) => treeFlatten(negativeGradientEma(model, params, state, [c], { alpha: 1 }).negGrad).leaves;
  const [g0, g1] = [g(chunks[0]!), g(chunks[1]!)];
  const ema = treeFlatten(negativeGradientEma(model, params, state, chunks, { alpha }).negGrad).leaves;
  ema.forEach((t, i) => t.data.forEach((v, k) => assert.ok(Math.abs(v - (alpha * (1 - alpha) * g0[i]!.data[k]! + alpha * g1[i]!.data[k]!)) < 1e-12)));
});

test('Shrink & Perturb with σ = 0, λ = 1 is the identity; λ = 0.5, σ = 0 halves linear weights only', () => {
  const model = bnModel();
  const params = model.init(random.key(3));
  const sites = weightSites(model, params, toyData(4).x, model.initState());
  assert.deepEqual(shrinkPerturb(params, sites, { lambda: 1, sigma: 0 }, random.key(0)), params);
  const half = shrinkPerturb(params, sites, { lambda: 0.5, sigma: 0 }, random.key(0));
  assert.deepEqual(
    Array.from((half[0] as any).w.data),
    Array.from((params[0] as any).w.data as Float64Array, (v) => v * 0.5),
  );
  assert.deepEqual(half[1], params[1]);
  const noisy = shrinkPerturb(params, sites, { lambda: 1, sigma: 0.01 }, random.key(0));
  assert.notDeepEqual(noisy[3], params[3]);
  assert.throws(() => shrinkPerturb(params, sites, { lambda: 0, sigma: 0 }, random.key(0)), /λ \(lambda\) must be in \(0, 1\]/);
});

const protocolOpts = (strategy: WarmStartOptions<any>['strategy'], extra: Partial<WarmStartOptions<any>> = {}): WarmStartOptions<any> => {
  const data = toyData(96);
  return {
    model: bnModel(),
    optimizer: momentum(0.05),
    chunks: splitChunks(data, 3, random.key(5)),
    test: toyData(40, random.key(9)),
    strategy,
    key: random.key(11),
    batchSize: 16,
    threshold: 0.95,
    maxEpochs: 6,
    ...extra,
  };
};

test('cold after chunk j equals a fresh run on chunks 1..j; warm differs', async () => {
  const o = protocolOpts('cold');
  const states: any[] = [];
  const r = await runWarmStart({ ...o, onChunk: (_c, s) => states.push(s) });
  const j = 2;
  const data = unionOf(o.chunks, j);
  const fresh = train({
    model: o.model,
    optimizer: o.optimizer,
    train: data,
    batchSize: 16,
    steps: r.chunks[j]!.steps,
    key: chunkKeys(o.key, j).train,
    params: o.model.init(chunkKeys(o.key, j).init),
    logEvery: 0,
  });
  assert.deepEqual(states[j].params, fresh.params);
  assert.deepEqual(states[j].modelState, fresh.modelState);
  const warm = await runWarmStart({ ...protocolOpts('warm') });
  assert.notDeepEqual(warm.state.params, r.state.params);
});

test('DASH with λ = 1 reproduces warm-starting exactly (steps, accuracies, parameters) and counts its extra passes', async () => {
  const warm = await runWarmStart(protocolOpts('warm'));
  const dash1 = await runWarmStart(protocolOpts('dash', { dash: { lambda: 1, alpha: 0.3 } }));
  assert.deepEqual(dash1.state, warm.state);
  assert.deepEqual(
    dash1.chunks.map((c) => [c.steps, c.testAccuracy]),
    warm.chunks.map((c) => [c.steps, c.testAccuracy]),
  );
  assert.deepEqual(
    dash1.chunks.map((c) => c.extraPasses),
    [0, 64 / 16, 96 / 16],
  );
  assert.deepEqual(
    warm.chunks.map((c) => c.extraPasses),
    [0, 0, 0],
  );
  const dash = await runWarmStart(protocolOpts('dash'));
  assert.notDeepEqual(dash.state.params, warm.state.params);
});

test('every strategy runs; running means are the means so far', async () => {
  for (const s of ['warm-reset-opt', 'reset-head', 'l2-init', 'shrink-perturb'] as const) {
    const r = await runWarmStart(protocolOpts(s, { probe: true }));
    assert.equal(r.chunks.length, 3);
    const c = r.chunks[2]!;
    assert.ok(Math.abs(c.meanTestAccuracy - (r.chunks[0]!.testAccuracy + r.chunks[1]!.testAccuracy + c.testAccuracy) / 3) < 1e-12);
    assert.equal(c.meanSteps, (r.chunks[0]!.steps + r.chunks[1]!.steps + c.steps) / 3);
    assert.ok(c.probeCosine! >= -1 && c.probeCosine! <= 1, s);
  }
});

test('bad input: λ and α outside (0, 1], more chunks than examples, threshold outside (0, 1]', async () => {
  await assert.rejects(() => runWarmStart(protocolOpts('dash', { dash: { lambda: 0, alpha: 0.3 } })), /DASH: λ \(lambda\) must be in \(0, 1\], got 0/);
  await assert.rejects(() => runWarmStart(protocolOpts('dash', { dash: { lambda: 1.5, alpha: 0.3 } })), /λ \(lambda\) must be in \(0, 1\], got 1.5/);
  await assert.rejects(() => runWarmStart(protocolOpts('dash', { dash: { lambda: 0.3, alpha: 0 } })), /DASH: α \(alpha\) must be in \(0, 1\], got 0/);
  await assert.rejects(() => runWarmStart(protocolOpts('dash', { dash: { lambda: 0.3, alpha: 1.01 } })), /α \(alpha\) must be in \(0, 1\]/);
  assert.throws(() => splitChunks(toyData(5), 6, random.key(0)), /6 chunks need at least 6 examples, the data has 5/);
  await assert.rejects(() => runWarmStart(protocolOpts('warm', { threshold: 1.2 })), /threshold must be a train accuracy in \(0, 1\], got 1.2/);
  await assert.rejects(() => runWarmStart(protocolOpts('warm', { batchSize: 64 })), /batchSize must be an integer in \[1, 32\]/);
});

test('an unreachable threshold: every chunk hits the epoch cap, is recorded as capped, and the protocol goes on', async () => {
  // Labels that contradict each other for identical inputs cannot be fit to 100 %.
  const base = toyData(48);
  const x = new Tensor(
    Float64Array.from({ length: 96 * 4 }, (_, i) => base.x.data[i % (48 * 4)]!),
    [96, 4],
  );
  const y = new Tensor(
    Int32Array.from({ length: 96 }, (_, i) => (i < 48 ? base.y.data[i]! : (Number(base.y.data[i - 48]) + 1) % 3)),
    [96],
    'int32',
  );
  const r = await runWarmStart({ ...protocolOpts('warm'), chunks: splitChunks({ x, y }, 3, random.key(2)), threshold: 1, maxEpochs: 3 });
  assert.equal(r.chunks.length, 3);
  assert.ok(r.chunks.every((c) => c.capped && c.trainAccuracy < 1));
  assert.deepEqual(
    r.chunks.map((c) => c.steps),
    [3 * 2, 3 * 4, 3 * 6],
  );
});

test('an aborted signal stops the protocol at a chunk boundary and says so', async () => {
  const ac = new AbortController();
  const r = await runWarmStart({ ...protocolOpts('warm'), signal: ac.signal, onChunk: () => ac.abort() });
  assert.equal(r.aborted, true);
  assert.equal(r.chunks.length, 1);
});
