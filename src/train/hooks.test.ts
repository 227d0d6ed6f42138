import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sub, sum, mul } from '../tensor/ops.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { train, trainAsync, NonFiniteLossError, type MetricRecord } from './trainer.ts';
import { allFinite, makeTrainStep } from './train-step.ts';
import { treeMap, type Tree } from '../tensor/tree.ts';
import * as random from '../tensor/random.ts';
import type { GradientTransformation } from '../optim/transform.ts';
import { loopControl } from './loop-control.ts';
import { tinyOptions } from '../../test/fixtures/tiny-training.ts';

test('stopAt atLeast stops at the first evaluation reaching the value; atMost on the training loss too', () => {
  const full = train(tinyOptions({ steps: 120 }));
  const evals = full.metrics.filter((m) => 'testAccuracy' in m);
  const target = evals.find((m) => m['testAccuracy']! >= 0.7)!;
  assert.ok(target && target.step < 120, 'the fixture reaches 70 % before the end');
  const r = train(tinyOptions({ steps: 120, stopAt: { metric: 'testAccuracy', atLeast: 0.7 } }));
  assert.equal(r.stoppedBy, 'target');
  assert.equal(r.step, target.step);
  assert.equal(JSON.stringify(r.metrics), JSON.stringify(full.metrics.slice(0, full.metrics.indexOf(target) + 1)));

  const losses = full.metrics.filter((m) => 'loss' in m);
  const threshold = losses[30]!['loss']! + 1e-12;
  const firstBelow = losses.find((m) => m['loss']! <= threshold)!;
  const l = train(tinyOptions({ steps: 120, stopAt: { metric: 'loss', atMost: threshold } }));
  assert.equal(l.stoppedBy, 'target');
  // A loss record at step s is the loss the (s+1)-th update descended: the run stops after that update.
  assert.equal(l.step, firstBelow.step + 1);
  assert.equal(l.metrics.filter((m) => 'loss' in m).at(-1)!['loss'], firstBelow['loss']);
});

test('stopAt naming a metric that is never recorded, or with both or neither threshold, fails before the first step', () => {
  let steps = 0;
  const onStep = (): void => void steps++;
  assert.throws(
    () => train(tinyOptions({ stopAt: { metric: 'testAcuracy', atLeast: 0.9 }, onStep })),
    /stopAt: metric 'testAcuracy' is never recorded by this run \(it records: loss, testAccuracy, testLoss/,
  );
  assert.throws(() => train(tinyOptions({ test: undefined, stopAt: { metric: 'testAccuracy', atLeast: 0.9 }, onStep })), /never recorded/);
  assert.throws(() => train(tinyOptions({ stopAt: { metric: 'loss', atLeast: 1, atMost: 2 } as never, onStep })), /exactly one of atLeast and atMost/);
  assert.throws(() => train(tinyOptions({ stopAt: { metric: 'loss' } as never, onStep })), /exactly one of atLeast and atMost/);
  assert.equal(steps, 0);
  // A metric a hook declares may be named.
  const r = train(
    tinyOptions({
      steps: 30,
      hooks: [{ name: 'norm', every: 5, metrics: ['w2Norm'], afterStep: (v) => v.log({ w2Norm: 1 + v.step }) }],
      stopAt: { metric: 'w2Norm', atLeast: 16 },
    }),
  );
  assert.equal(r.step, 15);
});

test('onEval, evalTrain and logEvery: what is recorded and when', () => {
  const seen: MetricRecord[] = [];
  const r = train(tinyOptions({ steps: 50, evalEvery: 20, evalTrain: true, logEvery: 7, onEval: (rec) => seen.push(rec) }));
  const evals = r.metrics.filter((m) => 'testLoss' in m);
  assert.deepEqual(
    evals.map((m) => m.step),
    [20, 40, 50],
    'every evalEvery steps and once at the end',
  );
  assert.deepEqual(seen, evals);
  for (const m of evals) for (const k of ['trainLoss', 'trainAccuracy', 'testLoss', 'testAccuracy']) assert.ok(Number.isFinite(m[k]), `${k} at ${m.step}`);
  const losses = r.metrics.filter((m) => 'loss' in m);
  assert.deepEqual(
    losses.map((m) => m.step),
    [0, 7, 14, 21, 28, 35, 42, 49],
  );
  const none = train(tinyOptions({ steps: 10, logEvery: 0, evalAtEnd: false }));
  assert.deepEqual(none.metrics, []);
  // evalTrain measures the whole training set, in eval mode, at the current parameters.
  const trainAcc = evals.at(-1)!['trainAccuracy']!;
  assert.ok(trainAcc > 0.5 && trainAcc <= 1);
});

test('hooks run at their cadence, see params, grads and optimizer state, and can stop the run', () => {
  const calls: number[] = [];
  const every3: number[] = [];
  let last: { step: number; totalSteps: number; w1: readonly number[]; g1: readonly number[]; stateStep: number } | undefined;
  const r = train(
    tinyOptions({
      steps: 20,
      onStepEvery: 4,
      onStep: (v) => void calls.push(v.step),
      hooks: [
        {
          name: 'probe',
          every: 3,
          afterStep: (v) => {
            every3.push(v.step);
            last = {
              step: v.step,
              totalSteps: v.totalSteps,
              w1: (v.params as { w1: Tensor }).w1.shape,
              g1: (v.grads as { w1: Tensor }).w1.shape,
              stateStep: v.state.step,
            };
          },
        },
      ],
    }),
  );
  assert.deepEqual(calls, [4, 8, 12, 16, 20]);
  assert.deepEqual(every3, [3, 6, 9, 12, 15, 18]);
  assert.deepEqual(last, { step: 18, totalSteps: 20, w1: [4, 8], g1: [4, 8], stateStep: 18 });
  assert.equal(r.step, 20);

  const stopped = train(tinyOptions({ steps: 40, hooks: [{ name: 'stopper', afterStep: (v) => (v.step === 9 ? 'stop' : undefined) }] }));
  assert.equal(stopped.stoppedBy, 'hook');
  assert.equal(stopped.step, 9);
  assert.equal(stopped.metrics.at(-1)!.step, 9, 'a final evaluation is made where the run stopped');
  assert.ok('testAccuracy' in stopped.metrics.at(-1)!);
});

test('a hook can log a measurement of the parameters every k steps (e.g. distance between twin runs)', () => {
  const ref = train(tinyOptions({ steps: 10 }));
  const refW = (ref.params as { w1: Tensor }).w1;
  const r = train(
    tinyOptions({
      steps: 10,
      evalAtEnd: false,
      logEvery: 0,
      hooks: [
        {
          name: 'distance',
          every: 5,
          metrics: ['dist'],
          afterStep: (v) => v.log({ dist: Math.sqrt(sum(mul(sub((v.params as { w1: Tensor }).w1, refW), sub((v.params as { w1: Tensor }).w1, refW))).item()) }),
        },
      ],
    }),
  );
  assert.deepEqual(
    r.metrics.map((m) => m.step),
    [5, 10],
  );
  assert.ok(r.metrics[0]!['dist']! > 0);
  assert.equal(r.metrics[1]!['dist'], 0, 'the same seed arrives at the same parameters');
});

test('onRecord streams every record as it is made, in order', () => {
  const streamed: MetricRecord[] = [];
  const r = train(tinyOptions({ steps: 25, evalEvery: 10, onRecord: (m) => streamed.push(m) }));
  assert.deepEqual(streamed, r.metrics);
});

test('loopControl yields on its time budget, throttles progress and reports an abort', async () => {
  const ac = new AbortController();
  const progress: number[] = [];
  const c = loopControl({ signal: ac.signal, budgetMs: 0, progressEveryMs: 1e9, onProgress: (p) => progress.push(p.step) });
  let timerFired = false;
  setImmediate(() => {
    timerFired = true;
  });
  assert.equal(await c.tick({ step: 1 }), false);
  assert.ok(timerFired, 'with a zero budget every tick yields to the event loop');
  assert.equal(await c.tick({ step: 2 }), false);
  assert.deepEqual(progress, [1], 'the second report is held back by progressEveryMs');
  c.flush();
  assert.deepEqual(progress, [1, 2]);
  ac.abort();
  assert.equal(await c.tick({ step: 3 }), true);
  assert.equal(c.aborted, true);
  assert.throws(() => loopControl({ budgetMs: -1 }), /budgetMs and progressEveryMs must be numbers ≥ 0/);
});

test('trainAsync gives the same metrics as train and stops at an abort', async () => {
  const a = train(tinyOptions({ steps: 30 }));
  const b = await trainAsync(tinyOptions({ steps: 30 }));
  assert.equal(JSON.stringify(a.metrics), JSON.stringify(b.metrics));
  const ac = new AbortController();
  const c = await trainAsync(tinyOptions({ steps: 30, signal: ac.signal, onStep: (v) => v.step === 11 && ac.abort() }));
  assert.equal(c.stoppedBy, 'abort');
  assert.equal(c.step, 11);
});

test('NaN guard: an update that makes parameters non-finite is caught, and the error carries the last finite state', () => {
  const poison = (at: number): GradientTransformation<Record<string, never>> => ({
    name: 'poison',
    init: () => ({}),
    update: (g: Tree, s, ctx) => [treeMap((x) => mul(x, ctx.step === at ? NaN : -0.1), g), s],
  });
  for (const [at, steps] of [
    [5, 20],
    [19, 20],
  ] as const) {
    assert.throws(
      () => train(tinyOptions({ optimizer: poison(at), steps })),
      (e: Error) => {
        assert.ok(e instanceof NonFiniteLossError, String(e));
        assert.match(e.message, new RegExp(`the update at step ${at} made parameters non-finite .*last finite values \\(step ${at}\\)`));
        assert.equal(e.state?.step, at);
        assert.ok(allFinite(e.state!.params), 'the attached state is finite');
        return true;
      },
    );
  }
  // The standalone step checks the parameters itself by default.
  const step = makeTrainStep({ model: tinyOptions().model, optimizer: poison(0) });
  const batch = { x: tinyOptions().train.x, y: tinyOptions().train.y };
  assert.throws(() => step(step.init(random.key(0)), batch, random.key(1)), /the update at step 0 made parameters non-finite/);
});

test('onRecord after a checkpoint resume replays the restored records first: it sees exactly result.metrics', async () => {
  const { mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const path = join(mkdtempSync(join(tmpdir(), 'trainscope-onrecord-')), 'ckpt.json');
  const ac = new AbortController();
  train(tinyOptions({ steps: 40, checkpoint: { path, every: 5 }, signal: ac.signal, onStep: (v) => v.step === 17 && ac.abort() }));
  const seen: MetricRecord[] = [];
  const resumed = train(tinyOptions({ steps: 40, checkpoint: { path, every: 5 }, resume: true, onRecord: (m) => seen.push(m) }));
  assert.deepEqual(seen, resumed.metrics);
  assert.equal(JSON.stringify(resumed.metrics), JSON.stringify(train(tinyOptions({ steps: 40 })).metrics));
});

test('checkpoints: a stopped run stays stopped on resume; another starting state or a checkpoint past the end is refused', async () => {
  const { mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = mkdtempSync(join(tmpdir(), 'trainscope-stop-'));
  const path = join(dir, 'ckpt.json');
  const stopAt = { metric: 'testAccuracy', atLeast: 0.7 };
  const first = train(tinyOptions({ steps: 120, stopAt, checkpoint: { path, every: 5 } }));
  assert.equal(first.stoppedBy, 'target');
  let stepped = 0;
  const again = train(tinyOptions({ steps: 120, stopAt, checkpoint: { path, every: 5 }, resume: true, onStep: () => void stepped++ }));
  assert.equal(again.stoppedBy, 'target');
  assert.equal(again.step, first.step);
  assert.equal(stepped, 0, 'no step after the stop');
  assert.equal(JSON.stringify(again.metrics), JSON.stringify(first.metrics));

  // Continuations from two different states are two runs: one's checkpoint does not resume the other.
  const a = train(tinyOptions({ steps: 5 })).state;
  const b = train(tinyOptions({ steps: 5, seed: 9 })).state;
  const cpPath = join(dir, 'cont.json');
  train(tinyOptions({ steps: 10, state: a, checkpoint: { path: cpPath, every: 5 } }));
  assert.throws(
    () => train(tinyOptions({ steps: 10, state: b, checkpoint: { path: cpPath, every: 5 }, resume: true })),
    /written by a different configuration/,
  );
  // A checkpoint beyond this call's last step.
  const long = join(dir, 'long.json');
  train(tinyOptions({ steps: 30, checkpoint: { path: long, every: 10 } }));
  assert.throws(() => train(tinyOptions({ steps: 20, checkpoint: { path: long, every: 10 }, resume: true })), /at step 30, past this call's end \(step 20\)/);
});
