/**
 * The shared optimizer suite: EVERY transformation and alias in `CASES` must (1) decrease the
 * ill-conditioned quadratic and the Rosenbrock function from a fixed start within a fixed number
 * of steps, (2) keep a finite state, and (3) survive encodeTree → JSON → decodeTree with
 * bit-identical subsequent updates. Adding an entry to CASES covers a new transformation.
 *
 * The loop mimics the trainer: ctx has params, step, a per-step key, the loss, and layerStats
 * only when the transformation declares needs: ['layerStats'] (Rosenbrock has no tapped layer,
 * so K-FAC's map is empty there and it falls back to its SGD direction).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor } from '../tensor/tensor.ts';
import type { Tree } from '../tensor/tree.ts';
import * as random from '../tensor/random.ts';
import { decodeTree, encodeTree } from '../train/serialize.ts';
import type { GradientTransformation, UpdateCtx } from './transform.ts';
import {
  addDecayedWeights,
  addNoise,
  adam,
  adamw,
  applyUpdates,
  chain,
  clipByGlobalNorm,
  ema,
  emaParams,
  kfac,
  langevin,
  momentum,
  nesterov,
  rmsprop,
  scale,
  scaleByAdam,
  scaleByKfac,
  scaleByLearningRate,
  scaleByRms,
  schedules,
  sgd,
  traceMomentum,
} from './index.ts';
import { gradsWithStats, quadratic, quadraticStart, rosenbrock, rosenbrockStart, type TappedLoss } from '../../test/support/test-helpers.ts';

type Problem = 'quadratic' | 'rosenbrock';
type GT = GradientTransformation<any>;
interface Case {
  name: string;
  make: (p: Problem) => GT;
}

// Per-problem step sizes: the quadratic's curvatures are 1 and 100 (GD stable below 0.02);
// Rosenbrock's curvature at the start is ~1000.
const q = (p: Problem, onQuad: number, onRosen: number): number => (p === 'quadratic' ? onQuad : onRosen);

const CASES: Case[] = [
  { name: 'scale', make: (p) => scale(-q(p, 0.015, 1e-3)) },
  { name: 'scaleByLearningRate', make: (p) => scaleByLearningRate(q(p, 0.015, 1e-3)) },
  { name: 'traceMomentum', make: (p) => chain(traceMomentum(0.5), scaleByLearningRate(q(p, 0.008, 5e-4))) },
  { name: 'traceMomentum(nesterov)', make: (p) => chain(traceMomentum(0.5, { nesterov: true }), scaleByLearningRate(q(p, 0.008, 5e-4))) },
  { name: 'scaleByAdam', make: (p) => chain(scaleByAdam(), scale(-q(p, 0.05, 0.05))) },
  { name: 'scaleByRms', make: (p) => chain(scaleByRms(), scaleByLearningRate(q(p, 0.01, 0.01))) },
  { name: 'addDecayedWeights', make: (p) => chain(addDecayedWeights(1e-3), scaleByLearningRate(q(p, 0.015, 1e-3))) },
  { name: 'clipByGlobalNorm', make: (p) => chain(clipByGlobalNorm(10), scaleByLearningRate(q(p, 0.015, 1e-3))) },
  { name: 'addNoise', make: (p) => chain(scaleByLearningRate(q(p, 0.015, 1e-3)), addNoise(1e-3)) },
  { name: 'addNoise(schedule)', make: (p) => chain(scaleByLearningRate(q(p, 0.015, 1e-3)), addNoise(schedules.cosine(1e-3, 100))) },
  { name: 'ema', make: (p) => chain(sgd(q(p, 0.015, 1e-3)), ema(0.9)) },
  { name: 'scaleByKfac', make: (p) => chain(scaleByKfac({ damping: 1e-2 }), scaleByLearningRate(q(p, 0.5, 1e-3))) },
  { name: 'sgd', make: (p) => sgd(q(p, 0.015, 1e-3)) },
  { name: 'sgd(weightDecay)', make: (p) => sgd(q(p, 0.015, 1e-3), { weightDecay: 1e-3 }) },
  { name: 'sgd(cosine schedule)', make: (p) => sgd(schedules.cosine(q(p, 0.015, 1e-3), 200, 1e-4)) },
  { name: 'sgd(warmup + step decay)', make: (p) => sgd(schedules.warmup(10, schedules.stepDecay(q(p, 0.015, 1e-3), { every: 100, factor: 0.5 }))) },
  { name: 'sgd(piecewise constant)', make: (p) => sgd(schedules.piecewiseConstant([100], [q(p, 0.015, 1e-3), q(p, 0.005, 5e-4)])) },
  { name: 'momentum', make: (p) => momentum(q(p, 0.008, 5e-4), 0.5) },
  { name: 'nesterov', make: (p) => nesterov(q(p, 0.008, 5e-4), 0.5) },
  { name: 'adam', make: (p) => adam(q(p, 0.05, 0.05)) },
  { name: 'adamw', make: (p) => adamw(q(p, 0.05, 0.05), { weightDecay: 1e-3 }) },
  { name: 'rmsprop', make: (p) => rmsprop(q(p, 0.01, 0.01)) },
  { name: 'rmsprop(momentum)', make: (p) => rmsprop(q(p, 0.005, 0.005), { momentum: 0.5 }) },
  { name: 'langevin', make: (p) => langevin(q(p, 0.015, 1e-3), { beta: 1e6 }) },
  { name: 'langevin(own key, schedule)', make: (p) => langevin(schedules.constant(q(p, 0.015, 1e-3)), { beta: 1e6, key: random.key(7) }) },
  { name: 'kfac', make: (p) => kfac(q(p, 0.5, 1e-3), { damping: 1e-2 }) },
  {
    name: 'kfac(momentum, inverseEvery 3, plain damping)',
    make: (p) => kfac(q(p, 0.25, 5e-4), { damping: 1e-2, momentum: 0.5, inverseEvery: 3, piDamping: false }),
  },
];

const STEPS = 200;
/** Final loss must be below this fraction of the initial one (quadratic 50.5, Rosenbrock 24.2). */
const TARGET: Record<Problem, number> = { quadratic: 1e-2, rosenbrock: 0.2 };
const runKey = random.key(1234);

function setup(p: Problem): { loss: TappedLoss<any>; params: Tree } {
  return p === 'quadratic' ? { loss: quadratic, params: quadraticStart() } : { loss: rosenbrock, params: rosenbrockStart() };
}

function ctxFor(t: GT, loss: TappedLoss<any>, params: Tree, step: number): { grads: Tree; ctx: UpdateCtx; value: number } {
  const { value, grads, layerStats } = gradsWithStats(loss, params);
  const needs = new Set(t.needs ?? []);
  return {
    grads,
    value: value.item(),
    ctx: {
      params,
      step,
      key: random.foldIn(runKey, step),
      loss: needs.has('loss') ? value : undefined,
      layerStats: needs.has('layerStats') ? layerStats : undefined,
    },
  };
}

function allFinite(s: unknown): boolean {
  if (s instanceof Tensor) return s.data.every((v) => Number.isFinite(v));
  if (typeof s === 'number') return Number.isFinite(s);
  if (Array.isArray(s)) return s.every(allFinite);
  if (s !== null && typeof s === 'object') return Object.values(s).every(allFinite);
  return true;
}

const roundTrip = (s: unknown): unknown => decodeTree(JSON.parse(JSON.stringify(encodeTree(s))));

for (const c of CASES) {
  for (const p of ['quadratic', 'rosenbrock'] as const) {
    test(`suite: ${c.name} on ${p}: decreases, finite state, exact round trip`, () => {
      const t = c.make(p);
      const { loss } = setup(p);
      let { params } = setup(p);
      let state = t.init(params);
      const initial = loss(params).item();
      let saved: { step: number; params: Tree; state: unknown } | undefined;
      for (let step = 0; step < STEPS; step++) {
        if (step === 7) saved = { step, params, state };
        const { grads, ctx } = ctxFor(t, loss, params, step);
        const [u, s] = t.update(grads, state, ctx);
        params = applyUpdates(params, u);
        state = s;
        assert.ok(allFinite(state), `state became non-finite at step ${step}`);
      }
      const final = loss(params).item();
      assert.ok(final < TARGET[p] * initial, `${c.name} on ${p}: loss ${initial} → ${final} after ${STEPS} steps (need < ${TARGET[p] * initial})`);
      if (c.name === 'ema') assert.ok(loss(emaParams(state) as Tree).item() < TARGET[p] * initial, 'the EMA parameters also decrease the loss');

      // From the state saved at step 7: the live state with this instance vs. its JSON round trip
      // with a fresh instance must give bit-identical updates and states for the next steps.
      const fresh = c.make(p);
      let pa = saved!.params;
      let sa = saved!.state;
      let pb = saved!.params;
      let sb = roundTrip(saved!.state);
      for (let step = saved!.step; step < saved!.step + 3; step++) {
        const ca = ctxFor(t, loss, pa, step);
        const cb = ctxFor(fresh, loss, pb, step);
        const [ua, na] = t.update(ca.grads, sa, ca.ctx);
        const [ub, nb] = fresh.update(cb.grads, sb, cb.ctx);
        assert.equal(JSON.stringify(encodeTree(ub)), JSON.stringify(encodeTree(ua)), `updates differ after a state round trip at step ${step}`);
        assert.equal(JSON.stringify(encodeTree(nb)), JSON.stringify(encodeTree(na)), `states differ after a state round trip at step ${step}`);
        pa = applyUpdates(pa, ua);
        pb = applyUpdates(pb, ub);
        sa = na;
        sb = roundTrip(nb);
      }
    });
  }
}
