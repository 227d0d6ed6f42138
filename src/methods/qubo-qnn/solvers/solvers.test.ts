import { test } from 'node:test';
import assert from 'node:assert/strict';
import { key, split } from '../../../tensor/prng.ts';
import { Xoshiro128 } from './rng.ts';
import { isingEnergy, quboEnergy, type Qubo } from './model.ts';
import { quboToIsing, isingToQubo, quboFromMatrix, bitsToSpins } from './convert.ts';
import { exactSolver } from './exact.ts';
import { simulatedAnnealing } from './sa.ts';
import { tabuSearch } from './tabu.ts';
import { simulatedBifurcation } from './sb.ts';
import { noisyOracle, quantizeModel } from './noisy.ts';
import { externalSolver } from './external.ts';
import { tts99, ttsReport } from './tts.ts';
import { randomInstance, plantedInstance } from './instances.ts';
import { defaultBetaRange } from './beta-range.ts';
import { solveQubo } from './solver.ts';
import { NODE_FLAGS } from '../../../../test/support/node-flags.ts';

function randomQubo(seed: number, n: number): Qubo {
  const r = new Xoshiro128(key(seed));
  const linear = Float64Array.from({ length: n }, () => r.next() * 4 - 2);
  const pairs = [];
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) if (r.next() < 0.6) pairs.push({ i, j, v: r.next() * 4 - 2 });
  pairs.push({ i: 0, j: n - 1, v: 0.5 }); // a repeated pair adds
  return { n, linear, pairs, offset: r.next() };
}

function brute(n: number, e: (x: number[]) => number): number {
  let best = Infinity;
  for (let m = 0; m < 2 ** n; m++) best = Math.min(best, e(Array.from({ length: n }, (_, i) => (m >> i) & 1)));
  return best;
}

test('QUBO → Ising → QUBO agree with the original energy on every state (n ≤ 10)', () => {
  for (const n of [1, 2, 5, 10]) {
    const q = randomQubo(n, n);
    const m = quboToIsing(q);
    const back = isingToQubo(m);
    for (let k = 0; k < 2 ** n; k++) {
      const x = Array.from({ length: n }, (_, i) => (k >> i) & 1);
      const e = quboEnergy(q, x);
      assert.ok(Math.abs(isingEnergy(m, bitsToSpins(x)) - e) < 1e-9, `n=${n} state ${k}`);
      assert.ok(Math.abs(quboEnergy(back, x) - e) < 1e-9);
    }
  }
});

test('a dense matrix means xᵀQx: upper-triangular, symmetric and non-symmetric forms give the same energy', () => {
  const full = [
    [1, 2, -1],
    [0, -3, 4],
    [3, 0, 0.5],
  ];
  const { qubo, symmetric } = quboFromMatrix(full);
  assert.equal(symmetric, false);
  for (let k = 0; k < 8; k++) {
    const x = [k & 1, (k >> 1) & 1, (k >> 2) & 1];
    let e = 0;
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) e += full[i]![j]! * x[i]! * x[j]!;
    assert.ok(Math.abs(quboEnergy(qubo, x) - e) < 1e-12);
  }
  assert.throws(() => quboFromMatrix([]), /empty \(n = 0\)/);
  assert.throws(() => quboFromMatrix([[1, 2]]), /not square: row 0 has 2 entries, expected 1/);
  assert.throws(
    () =>
      quboFromMatrix([
        [1, null],
        [0, 1],
      ]),
    /Q\[0\]\[1\] is not a finite number/,
  );
});

test('exact enumeration (Gray code) matches brute force and counts degeneracy', () => {
  for (const n of [1, 3, 8, 12]) {
    const q = randomQubo(100 + n, n);
    const r = exactSolver().solve(quboToIsing(q));
    assert.ok(Math.abs(r.best.energy - brute(n, (x) => quboEnergy(q, x))) < 1e-9);
  }
  // s0 s1 has two ground states (−1,+1) and (+1,−1).
  const r = exactSolver().solve(quboToIsing({ n: 2, linear: Float64Array.of(-1, -1), pairs: [{ i: 0, j: 1, v: 2 }], offset: 0 }));
  assert.equal(r.degeneracy, 2);
  assert.throws(() => exactSolver().solve(randomInstance(key(1), 25, 3)), /n = 25 is above maxN = 24/);
});

test('SA, tabu and both SB variants reach the exact optimum on small random instances; same key → same result', () => {
  const solvers = [simulatedAnnealing({ sweeps: 300 }), tabuSearch(), simulatedBifurcation({ mode: 'ballistic' }), simulatedBifurcation({ mode: 'discrete' })];
  const keys = split(key(7), 10);
  for (const s of solvers) {
    let hits = 0;
    for (let t = 0; t < 10; t++) {
      const m = randomInstance(keys[t]!, 14);
      const exact = exactSolver().solve(m).best.energy;
      const r = s.solve(m, { key: key(t), reads: s.name === 'tabu' ? 1 : 8 });
      assert.ok(r.best.energy >= exact - 1e-9, `${s.name} below the exact minimum`);
      if (r.best.energy <= exact + 1e-9) hits++;
    }
    assert.ok(hits >= 9, `${s.name} found the optimum on ${hits}/10`);
    const m = randomInstance(key(3), 12);
    assert.deepEqual(s.solve(m, { key: key(5), reads: 2 }).best.spins, s.solve(m, { key: key(5), reads: 2 }).best.spins);
  }
});

test('planted instances: SA finds the planted ground state at n = 200', () => {
  const { model, groundEnergy } = plantedInstance(key(2), 200, 6);
  const r = simulatedAnnealing({ sweeps: 500 }).solve(model, { key: key(1), reads: 2 });
  assert.ok(Math.abs(r.best.energy - groundEnergy) < 1e-6, `${r.best.energy} vs ${groundEnergy}`);
});

test("dwave's default β range: hot = ln2/(2·max Σ|bias|), cold = ln(#min gaps/0.01)/(2·min |bias|)", () => {
  const m = quboToIsing(isingToQubo(randomInstance(key(1), 2)));
  const [hot, cold] = defaultBetaRange(m);
  assert.ok(hot > 0 && cold > hot);
  const single = quboToIsing({
    n: 3,
    linear: new Float64Array(3),
    pairs: [
      { i: 0, j: 1, v: 8 },
      { i: 1, j: 2, v: -2 },
    ],
    offset: 0,
  });
  // Ising: J01 = 2, J12 = −0.5, h = (2, 1.5, −0.5) → Σ|.| = (4, 4, 1); min|.| = (2, 0.5, 0.5): min gap 0.5 at 2 spins.
  const [h2, c2] = defaultBetaRange(single);
  assert.ok(Math.abs(h2 - Math.LN2 / 8) < 1e-12);
  assert.ok(Math.abs(c2 - Math.log(2 / 0.01) / 1) < 1e-12);
});

test('time limits stop a solver with timedOut = true and a valid partial result', () => {
  const m = randomInstance(key(4), 2000, 10);
  const r = simulatedAnnealing({ sweeps: 1_000_000 }).solve(m, { key: key(1), timeLimitMs: 30 });
  assert.equal(r.timedOut, true);
  assert.ok(Number.isFinite(r.best.energy));
  assert.ok(r.timeMs < 2000);
  const t = tabuSearch({ restarts: 1000 }).solve(m, { key: key(1), timeLimitMs: 30 });
  assert.equal(t.timedOut, true);
  assert.throws(() => simulatedAnnealing().solve(m, { key: key(1), timeLimitMs: 0 }), /timeLimitMs must be positive/);
});

test('n = 0 is a constant: every solver returns the offset', () => {
  const m = quboToIsing({ n: 0, linear: new Float64Array(0), pairs: [], offset: 3 });
  for (const s of [exactSolver(), simulatedAnnealing(), tabuSearch(), simulatedBifurcation()]) assert.equal(s.solve(m, { key: key(0) }).best.energy, 3);
});

test('noisy oracle: quantization rounds coefficients to 2^(b−1)−1 levels; failures return random states', () => {
  const m = randomInstance(key(9), 10);
  const q = quantizeModel(m, 3);
  const levels = new Set([...q.h, ...q.val].map((v) => Math.round(v * 1e9)));
  assert.ok(levels.size <= 7, `3 bits give at most 7 levels, got ${levels.size}`);
  const exact = exactSolver().solve(m).best.energy;
  const failing = noisyOracle(simulatedAnnealing({ sweeps: 200 }), { failureRate: 1 }).solve(m, { key: key(1), reads: 20 });
  assert.equal(failing.settings['failures'], 20);
  assert.ok(failing.samples.filter((s) => Math.abs(s.energy - exact) < 1e-9).length < 20);
  const clean = noisyOracle(simulatedAnnealing({ sweeps: 200 }), { bits: 16 }).solve(m, { key: key(1), reads: 4 });
  assert.ok(Math.abs(clean.best.energy - exact) < 1e-9);
});

test('TTS99', () => {
  assert.equal(tts99(10, 0), Infinity);
  assert.equal(tts99(10, 1), 10);
  assert.ok(Math.abs(tts99(10, 0.5) - (10 * Math.log(0.01)) / Math.log(0.5)) < 1e-12);
  const m = randomInstance(key(2), 10);
  const exact = exactSolver().solve(m).best.energy;
  const rep = ttsReport(simulatedAnnealing({ sweeps: 100 }).solve(m, { key: key(0), reads: 10 }), exact);
  assert.equal(rep.reads, 10);
  assert.ok(rep.successRate > 0 && rep.tts99Ms > 0);
});

test('an external command implements the interface through JSON on stdin/stdout', () => {
  const script = new URL('./external-example.mjs', import.meta.url).pathname;
  const m = randomInstance(key(6), 12);
  const r = externalSolver(process.execPath, [...NODE_FLAGS, script]).solve(m, { key: key(1), reads: 5 });
  assert.equal(r.samples.length, 5);
  assert.ok(Math.abs(r.best.energy - isingEnergy(m, r.best.spins)) < 1e-12);
  const bad = externalSolver(process.execPath, [...NODE_FLAGS, '-e', 'process.stdout.write("{}")']);
  assert.throws(() => bad.solve(m, { key: key(1) }), /no "samples" array/);
  const q: Qubo = { n: 2, linear: Float64Array.of(1, -1), pairs: [], offset: 0 };
  assert.deepEqual(Array.from(solveQubo(externalSolver(process.execPath, [...NODE_FLAGS, script]), q, { key: key(0) }).x), [0, 1]);
});

test('tabu terminates and finds the planted optimum at n = 100 (float drift in the running energy cannot fake endless improvements)', () => {
  for (let i = 0; i < 3; i++) {
    const { model, groundEnergy } = plantedInstance(key(50 + i), 100, 10);
    const r = tabuSearch({ restarts: 3 }).solve(model, { key: key(i), reads: 2 });
    assert.ok(Math.abs(r.best.energy - groundEnergy) < 1e-9 * Math.abs(groundEnergy));
  }
});
