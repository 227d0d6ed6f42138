import { test } from 'node:test';
import assert from 'node:assert/strict';
import { key } from '../../tensor/prng.ts';
import { buildQcbo, complete, feasibility, networkLoss, type QnnSpec } from './qcbo.ts';
import { penaltyQubo } from './penalty.ts';
import { quboEnergy } from './solvers/model.ts';
import { solveQubo } from './solvers/solver.ts';
import { tabuSearch } from './solvers/tabu.ts';
import { qcgd } from './qcgd.ts';
import { simulatedAnnealing } from './solvers/sa.ts';
import { polishWeights } from './polish.ts';
import { progressiveHedging } from './hedging.ts';

const spec: QnnSpec = {
  inputs: 2,
  hidden: 1,
  values: [-1, 0, 1],
  encoding: 'offset-binary',
  activation: 'tanh',
  actIntervals: 2,
  actRange: 1,
  loss: 'logistic',
  lossIntervals: 2,
};
const xs = [Float64Array.of(0.7, 1), Float64Array.of(-0.4, 1), Float64Array.of(0.2, 1)];
const ys = [1, -1, 1];

test('penalty QUBO: energies bound the objective; a large P gives a (near-)feasible minimizer, a tiny P an infeasible one', () => {
  const q = buildQcbo(spec, xs, ys);
  const big = penaltyQubo(q, { penalty: 50, slackBits: 4 });
  assert.equal(big.nOriginal, q.n);
  assert.ok(big.nProducts > 0 && big.nSlack > 0);
  const sol = solveQubo(tabuSearch({ restarts: 20 }), big.qubo, { key: key(1), reads: 4 });
  const x = sol.x.slice(0, q.n);
  const f = feasibility(q, x);
  assert.ok(f.feasible || f.maxViolation < 0.05, `max violation ${f.maxViolation}`);
  assert.ok(sol.energy >= q.objective.eval(x) - 1e-9, 'penalties are ≥ 0');
  assert.ok(Math.abs(quboEnergy(big.qubo, sol.x) - sol.energy) < 1e-9);
  // With a negligible penalty the minimizer just picks the lowest loss levels and breaks constraints.
  const tiny = penaltyQubo(q, { penalty: 1e-4, slackBits: 4 });
  const bad = solveQubo(tabuSearch({ restarts: 20 }), tiny.qubo, { key: key(1), reads: 4 }).x.slice(0, q.n);
  assert.equal(feasibility(q, bad).feasible, false);
  assert.throws(() => penaltyQubo(q, { penalty: 0 }), /penalty must be positive/);
});

test('QCGD returns a feasible point with its trace; polish and progressive hedging reach the best network on a tiny problem', () => {
  const q = buildQcbo(spec, xs, ys);
  let bestNet = Infinity;
  for (let c = 0; c < 27; c++)
    bestNet = Math.min(bestNet, networkLoss(q, { w1: Float64Array.of((c % 3) - 1, (Math.floor(c / 3) % 3) - 1), w2: Float64Array.of(Math.floor(c / 9) - 1) }));
  const r = qcgd(q, { iterations: 30, oracle: simulatedAnnealing({ sweeps: 100 }), key: key(2) });
  assert.equal(r.trace.length, 30);
  assert.ok(r.feasible);
  assert.equal(feasibility(q, r.x).maxViolation, 0);
  assert.ok(Math.abs(r.objective - networkLoss(q, r.weights)) < 1e-12);
  assert.deepEqual(Array.from(complete(q, r.weights)), Array.from(r.x));
  const pol = polishWeights(q, r.weights);
  assert.ok(pol.score <= r.objective + 1e-12);
  const ph = progressiveHedging(spec, xs, ys, {
    scenarioSize: 2,
    iterations: 5,
    rho: 0.3,
    key: key(3),
    polish: true,
    qcgd: { iterations: 10, oracle: simulatedAnnealing({ sweeps: 50 }) },
  });
  assert.equal(ph.scenarios, 2);
  assert.ok(ph.trace.length >= 1);
  assert.ok(Number.isFinite(ph.objective) && ph.objective >= bestNet - 1e-12);
});
