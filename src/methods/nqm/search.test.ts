import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bisectSteps, liftSteps } from './search.ts';
import { makeNqm, lowerBoundSteps } from './problem.ts';
import { stepsToTarget, tune } from './tune.ts';
import { logspace, powersOfTwo } from './grids.ts';
import type { Method } from './dynamics.ts';

/** Binary lifting over an explicit curve (the state is just k). */
function liftCurve(loss: (k: number) => number, target: number, high: number): number | null {
  let k = 0;
  let cand = 0;
  return liftSteps(
    Math.ceil(Math.log2(high)),
    high,
    target,
    (j) => loss((cand = k + 2 ** j)),
    () => {
      k = cand;
    },
  );
}

test('bisection: the notebook convention — the last step found above the target, at least 1', () => {
  const step =
    (k0: number) =>
    (k: number): number =>
      k >= k0 ? 0.5 : 2;
  for (const k0 of [1, 2, 3, 1000, 123_457, 999_999]) {
    assert.equal(bisectSteps(step(k0), 1, 1_000_000), Math.max(k0 - 1, 1));
    assert.equal(liftCurve(step(k0), 1, 1_000_000), Math.max(k0 - 1, 1));
  }
  // Already below the target at k = 0: max(low, 1) = 1.
  assert.equal(
    bisectSteps(() => 0, 1, 100),
    1,
  );
});

test('bisection: a target never reached is unreachable (null), in at most ⌈log₂ high⌉ evaluations', () => {
  for (const curve of [() => 2, () => Number.NaN, () => Number.POSITIVE_INFINITY, (k: number) => 1 + 1 / (k + 1)]) {
    let calls = 0;
    const counted = (k: number): number => {
      calls++;
      return curve(k);
    };
    assert.equal(bisectSteps(counted, 1, 1_000_000_000), null);
    assert.ok(calls <= 30, `${calls} evaluations`);
    calls = 0;
    assert.equal(liftCurve(counted, 1, 1_000_000_000), null);
    assert.ok(calls <= 30);
  }
  // Reached only at the last step of the range: found.
  assert.equal(
    bisectSteps((k) => (k >= 99 ? 0 : 1), 0.5, 100),
    98,
  );
  assert.throws(() => bisectSteps(() => 0, 1, 1), /high must be an integer ≥ 2/);
  assert.throws(
    () =>
      liftSteps(
        3,
        100,
        1,
        () => 0,
        () => {},
      ),
    /cannot reach/,
  );
});

test('lifting and the notebook bisection agree on the tuned NQM grids (monotone curves)', () => {
  const nqm = makeNqm({ d: 2000, bins: 40 });
  const Bs = [4, 64, 4096];
  const opts = { lrs: logspace(-4, 0.4, 12), coefs: [0, 0.9, 0.99] };
  for (const method of ['sgd', 'momentum', 'ema'] as Method[]) {
    for (const p of [0, 0.5]) {
      const a = tune(nqm, method, p, Bs, 0.05, { ...opts, search: 'lifting' });
      const b = tune(nqm, method, p, Bs, 0.05, { ...opts, search: 'bisection' });
      assert.deepEqual(a, b, `${method} p=${p}`);
      assert.ok(a.every((r) => r.steps !== null));
    }
  }
});

test('bad input: unstable-only grids give explicit unreachable rows; p, B and target are checked', () => {
  const nqm = makeNqm({ d: 500, bins: 30 });
  const rows = tune(nqm, 'sgd', 0, [4, 16], 0.01, { lrs: [2.5, 3, 10] });
  assert.deepEqual(
    rows.map((r) => [r.steps, r.lr]),
    [
      [null, null],
      [null, null],
    ],
  );
  const mom = tune(nqm, 'momentum', 0, [4], 0.01, { lrs: [5], coefs: [0.5] }); // x = 5 > 2(1 + β)
  assert.equal(mom[0]!.steps, null);
  assert.equal(mom[0]!.beta, undefined);
  assert.equal(stepsToTarget(nqm, { method: 'sgd', p: 0, lr: 2.5 }, 4, 0.01), null);
  // Stable but its steady-state loss stays above the target: searched and found unreachable.
  assert.equal(stepsToTarget(nqm, { method: 'sgd', p: 0, lr: 1.5 }, 1, 1e-4), null);
  assert.throws(() => tune(nqm, 'sgd', 1.2, [4], 0.01), /p must be in \[0, 1\]/);
  assert.throws(() => tune(nqm, 'sgd', 0, [4, 0], 0.01), /batch size must be positive/);
  assert.throws(() => tune(nqm, 'sgd', 0, [4], 0), /target loss must be > 0/);
  assert.throws(() => tune(nqm, 'sgd', 0, [4], -1), /target loss must be > 0/);
  assert.throws(() => tune(nqm, 'sgd', 0, [], 0.01), /no batch sizes/);
  assert.throws(() => tune(nqm, 'ema', 0, [4], 0.01, { coefs: [1] }), /γ must be in \[0, 1\)/);
});

test('every tuned result honours the lower bound d/(2·target·B)', () => {
  const nqm = makeNqm();
  const Bs = powersOfTwo(2, 20, 3);
  for (const method of ['sgd', 'momentum', 'ema'] as Method[]) {
    for (const p of [0, 0.75]) {
      for (const r of tune(nqm, method, p, Bs, 0.01, method === 'sgd' ? {} : { lrs: logspace(-8, 1, 40), coefs: [0, 0.9, 0.99, 0.999] })) {
        assert.ok(r.steps !== null && r.steps >= lowerBoundSteps(nqm.d, 0.01, r.B), `${method} p=${p} B=${r.B}: ${r.steps}`);
      }
    }
  }
});

test('tune equals a brute-force search of every grid point at every batch size (first strict minimum, α outer)', () => {
  const nqm = makeNqm({ d: 3000, bins: 30 });
  const Bs = [4, 32, 256, 2048, 16384];
  const lrs = logspace(-6, 0.8, 15);
  const coefs = [0, 0.5, 0.9, 0.99, 0.999];
  for (const method of ['sgd', 'momentum', 'ema'] as Method[]) {
    const rows = tune(nqm, method, 0.25, Bs, 0.03, { lrs, coefs });
    Bs.forEach((B, i) => {
      let best: { steps: number; lr: number; coef: number } | null = null;
      for (const lr of lrs)
        for (const coef of method === 'sgd' ? [0] : coefs) {
          const k = stepsToTarget(nqm, { method, p: 0.25, lr, coef }, B, 0.03);
          if (k !== null && (best === null || k < best.steps)) best = { steps: k, lr, coef };
        }
      assert.equal(rows[i]!.steps, best?.steps ?? null, `${method} B=${B}`);
      assert.equal(rows[i]!.lr, best?.lr ?? null);
      if (method === 'momentum') assert.equal(rows[i]!.beta, best?.coef);
      if (method === 'ema') assert.equal(rows[i]!.gamma, best?.coef);
    });
  }
});
