import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor } from '../../tensor/tensor.ts';
import { valueAndGrad } from '../../tensor/transforms.ts';
import { makeNqm } from './problem.ts';
import { maxLogLr, optimizeSchedule, scheduleLogLoss, scheduleStepsToTarget } from './schedule.ts';
import { lossAt, tune } from './tune.ts';
import { boundedLbfgs } from './bounded-lbfgs.ts';

test('the schedule loss equals the closed form piece by piece, and its engine gradient matches finite differences', () => {
  const nqm = makeNqm({ d: 1000, bins: 30 });
  const llr = [-1, -2, -3];
  const f = (v: number[]): number => scheduleLogLoss(nqm, 0.25, 16, new Tensor(Float64Array.from(v), [3]), 200).item();
  // A constant schedule is plain SGD for 3·200 steps.
  const flat = Math.exp(f([-1, -1, -1]));
  assert.ok(Math.abs(flat - lossAt(nqm, { method: 'sgd', p: 0.25, lr: Math.exp(-1) }, 16, 600)) / flat < 1e-9);
  const { grads } = valueAndGrad((t: Tensor) => scheduleLogLoss(nqm, 0.25, 16, t, 200))(new Tensor(Float64Array.from(llr), [3]));
  for (let i = 0; i < 3; i++) {
    const e = 1e-6;
    const up = [...llr];
    up[i]! += e;
    const dn = [...llr];
    dn[i]! -= e;
    const fd = (f(up) - f(dn)) / (2 * e);
    assert.ok(Math.abs((grads.data[i] as number) - fd) < 1e-6 * Math.max(1, Math.abs(fd)), `piece ${i}: ${grads.data[i]} vs ${fd}`);
  }
});

test('bounded L-BFGS respects the upper bound and finds a bound-constrained minimum', () => {
  const r = boundedLbfgs(
    (x) => ({ f: (x[0]! - 3) ** 2 + (x[1]! + 1) ** 2, g: Float64Array.from([2 * (x[0]! - 3), 2 * (x[1]! + 1)]) }),
    Float64Array.from([-5, -5]),
    { upper: 1 },
  );
  assert.ok(Math.abs(r.x[0]! - 1) < 1e-9 && Math.abs(r.x[1]! + 1) < 1e-6, `${[...r.x]}`);
});

test('optimal schedules: within the cap, never worse than constant, and fewer steps than the best constant LR at small batch', () => {
  const nqm = makeNqm({ d: 1000, bins: 40 });
  assert.ok(Math.abs(maxLogLr(0) - Math.log(2 / (1 + 2e-4))) < 1e-12);
  const s = optimizeSchedule(nqm, 0, 8, 5, 2000);
  assert.ok(s.lrs.every((lr) => lr <= Math.exp(maxLogLr(0)) * (1 + 1e-12)));
  const constant = Math.min(...[0.01, 0.03, 0.1, 0.3].map((lr) => lossAt(nqm, { method: 'sgd', p: 0, lr }, 8, 10_000)));
  assert.ok(s.loss <= constant);
  const [c] = tune(nqm, 'sgd', 0, [8], 0.02);
  const sched = scheduleStepsToTarget(nqm, 0, 8, 0.02, 5, Math.ceil((c!.steps! + 1) / 5));
  assert.ok(sched.steps !== null && sched.steps < c!.steps!, `${sched.steps} vs ${c!.steps}`);
  // Decaying: the last piece's LR is below the first's.
  assert.ok(sched.lrs!.at(-1)! < sched.lrs![0]!);
  assert.throws(() => optimizeSchedule(nqm, 0, 8, 0, 10), /npc/);
  assert.throws(() => scheduleStepsToTarget(nqm, 0, 8, 0, 5), /target loss must be > 0/);
});
