import { test } from 'node:test';
import assert from 'node:assert/strict';
import { key } from '../../tensor/prng.ts';
import { Xoshiro128 } from './solvers/rng.ts';
import { dotBounds, propagate } from './intervals.ts';
import { spline, splineValue, splineErrorBound } from './spline.ts';
import { weightEncoding } from './encoding.ts';
import { buildQcbo, complete, decodeWeights, feasibility, networkLoss, objectiveValue, qnnSplines, type QnnSpec } from './qcbo.ts';
import { forward } from './network.ts';

test('interval propagation contains every sampled pre-activation of a 3-layer net', () => {
  const r = new Xoshiro128(key(1));
  const d = 4;
  const widths = [5, 3, 1];
  const w = { lo: -1, hi: 1 };
  const inputs = Array.from({ length: d }, () => ({ lo: -1, hi: 1 }));
  const bounds = propagate(inputs, w, widths, () => ({ lo: -1, hi: 1 })); // tanh range
  for (let t = 0; t < 2000; t++) {
    let a = Array.from({ length: d }, () => 2 * r.next() - 1);
    for (let l = 0; l < widths.length; l++) {
      const u = Array.from({ length: widths[l]! }, () => a.reduce((s, ai) => s + (r.int(3) - 1) * ai, 0));
      u.forEach((v, j) => assert.ok(v >= bounds[l]![j]!.lo - 1e-12 && v <= bounds[l]![j]!.hi + 1e-12, `layer ${l} unit ${j}: ${v}`));
      a = u.map(Math.tanh);
    }
  }
  // Tight for a single product box: [−1,1]·[2,3] = [−3, 3].
  assert.deepEqual(dotBounds({ lo: -1, hi: 1 }, [{ lo: 2, hi: 3 }]), { lo: -3, hi: 3 });
});

test("the spline's error bounds hold (tanh: |f'| ≤ 1, |f''| ≤ 4/(3√3)) and are nearly attained", () => {
  for (const K of [2, 4, 8, 16]) {
    const s = spline(
      Math.tanh,
      Float64Array.from({ length: K + 1 }, (_, k) => -4 + (8 * k) / K),
    );
    const b = splineErrorBound(s, 1, 4 / (3 * Math.sqrt(3)));
    let errS = 0;
    let errL = 0;
    for (let u = -4; u <= 4; u += 1e-3) {
      errS = Math.max(errS, Math.abs(Math.tanh(u) - splineValue(s, u)));
      let k = 0;
      while (k < s.level.length - 1 && u > s.t[k + 1]!) k++;
      errL = Math.max(errL, Math.abs(Math.tanh(u) - s.level[k]!));
    }
    assert.ok(errS <= b.spline + 1e-12, `K=${K}: spline error ${errS} > bound ${b.spline}`);
    assert.ok(errL <= b.level + 1e-12, `K=${K}: level error ${errL} > bound ${b.level}`);
    assert.ok(errS > b.spline / 10, 'the bound is not vacuous');
  }
  const sq = spline((u) => u * u, [0, 1, 3]);
  const b = splineErrorBound(sq, 6, 2);
  assert.ok(Math.abs(b.spline - (2 * 4) / 8) < 1e-12);
  assert.equal(splineValue(sq, 2) - 4, 1); // the chord of u² on [1, 3] at 2 is 5 vs 4: error 1 = the bound
});

test('weight encodings: one-hot and offset binary round-trip the ternary set', () => {
  for (const kind of ['one-hot', 'offset-binary'] as const) {
    const e = weightEncoding(kind, [-1, 0, 1]);
    for (const v of [-1, 0, 1]) {
      const bits = e.encode(v);
      assert.equal(e.decode(bits), v);
      assert.ok(e.valid(bits));
      let lin = e.constant;
      e.coef.forEach((c, b) => (lin += c * bits[b]!));
      assert.equal(lin, v);
    }
  }
  assert.equal(weightEncoding('offset-binary', [-1, 0, 1]).bits, 2);
  assert.deepEqual(weightEncoding('offset-binary', [-1, 0, 1]).constraint?.hi, 2);
  assert.throws(() => weightEncoding('offset-binary', [-1, 0, 2]), /evenly spaced/);
});

const tinySpec = (encoding: 'one-hot' | 'offset-binary'): QnnSpec => ({
  inputs: 2,
  hidden: 1,
  values: [-1, 0, 1],
  encoding,
  activation: 'tanh',
  actIntervals: 2,
  actRange: 1,
  loss: 'logistic',
  lossIntervals: 2,
});

test('the QCBO of a tiny net: its optimum by exact enumeration equals the best ternary network', () => {
  for (const enc of ['one-hot', 'offset-binary'] as const) {
    const spec = tinySpec(enc);
    const xs = [Float64Array.of(0.7, 1), Float64Array.of(-0.4, 1)];
    const ys = [1, -1];
    const q = buildQcbo(spec, xs, ys);
    assert.ok(q.n <= 17, `n = ${q.n}`);
    // Best network by enumerating the 3³ ternary weight triples.
    let bestNet = Infinity;
    for (let c = 0; c < 27; c++) {
      const w = { w1: Float64Array.of((c % 3) - 1, (Math.floor(c / 3) % 3) - 1), w2: Float64Array.of(Math.floor(c / 9) - 1) };
      const x = complete(q, w);
      assert.ok(feasibility(q, x).feasible, 'the forward completion is feasible');
      assert.ok(Math.abs(objectiveValue(q, x) - networkLoss(q, w)) < 1e-12);
      bestNet = Math.min(bestNet, networkLoss(q, w));
    }
    // Best feasible bit vector of the QCBO by enumerating all 2ⁿ.
    let bestQ = Infinity;
    let nFeasible = 0;
    const x = new Uint8Array(q.n);
    for (let m = 0; m < 2 ** q.n; m++) {
      for (let i = 0; i < q.n; i++) x[i] = (m >> i) & 1;
      if (!feasibility(q, x).feasible) continue;
      nFeasible++;
      const o = objectiveValue(q, x);
      // Every feasible point is a network whose indicators match its forward pass (either side of a breakpoint at a tie).
      const w = decodeWeights(q, x);
      for (let s = 0; s < xs.length; s++) {
        const u = forward(w, q.splines.act, xs[s]!).u[0]!;
        const k = [0, 1].find((kk) => x[q.zBit(s, 0, kk)] === 1)!;
        assert.ok(u >= q.splines.act.t[k]! - 1e-12 && u <= q.splines.act.t[k + 1]! + 1e-12, `u = ${u} outside interval ${k}`);
      }
      assert.ok(o >= networkLoss(q, w) - 1e-12);
      bestQ = Math.min(bestQ, o);
    }
    assert.ok(nFeasible >= 27, `${enc}: ${nFeasible} feasible points`);
    assert.ok(Math.abs(bestQ - bestNet) < 1e-12, `${enc}: QCBO optimum ${bestQ} vs best network ${bestNet}`);
  }
});

test('buildQcbo refuses bad data', () => {
  const spec = tinySpec('one-hot');
  assert.throws(() => buildQcbo(spec, [Float64Array.of(1, 1)], [0]), /label 0 must be ±1/);
  assert.throws(() => buildQcbo(spec, [Float64Array.of(1)], [1]), /sample 0 has 1 inputs, spec says 2/);
  assert.throws(() => buildQcbo(spec, [], []), /need ≥ 1 sample/);
  assert.ok(qnnSplines(spec, [Float64Array.of(1, 1)]).act.t.length === 3);
});
