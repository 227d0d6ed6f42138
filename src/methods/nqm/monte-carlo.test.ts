import { test } from 'node:test';
import assert from 'node:assert/strict';
import { key } from '../../tensor/prng.ts';
import { makeNqm } from './problem.ts';
import { monteCarlo } from './monte-carlo.ts';
import { lossAt } from './tune.ts';
import type { Setting } from './dynamics.ts';

test("Monte Carlo agrees with the closed forms (the notes' table: d=200, B=8, α=0.3, β=0.8, γ=0.9, 300 steps)", () => {
  const nqm = makeNqm({ d: 200, binning: 'exact' });
  const settings: Setting[] = [
    { method: 'sgd', p: 0, lr: 0.3 },
    { method: 'momentum', p: 0, lr: 0.3, coef: 0.8 },
    { method: 'ema', p: 0, lr: 0.3, coef: 0.9 },
  ];
  const mc = monteCarlo(nqm, settings, 8, { runs: 300, steps: 300, key: key(7) });
  const exact = settings.map((s) => lossAt(nqm, s, 8, 300));
  mc.forEach((r, i) => {
    // 4 standard errors: a wrong closed form by more than a few percent fails.
    assert.ok(Math.abs(r.mean - exact[i]!) < 4 * r.stdError, `${r.setting.method}: MC ${r.mean} ± ${r.stdError} vs ${exact[i]}`);
    assert.ok(r.stdError / r.mean < 0.03);
  });
  // The check discriminates: each estimate is far from the other methods' closed forms.
  assert.ok(Math.abs(mc[1]!.mean - exact[0]!) > 8 * mc[1]!.stdError);
  assert.ok(Math.abs(mc[2]!.mean - exact[0]!) > 8 * mc[2]!.stdError);
  // Preconditioned too (p = 0.5), where the noise is scaled by h^(−2p).
  const pre: Setting = { method: 'momentum', p: 0.5, lr: 0.05, coef: 0.9 };
  const [r] = monteCarlo(makeNqm({ d: 50, binning: 'exact' }), [pre], 16, { runs: 300, steps: 200, key: key(8) });
  const e = lossAt(makeNqm({ d: 50, binning: 'exact' }), pre, 16, 200);
  assert.ok(Math.abs(r!.mean - e) < 4 * r!.stdError, `${r!.mean} ± ${r!.stdError} vs ${e}`);
});

test('Monte Carlo is reproducible from its key and refuses bad input', () => {
  const nqm = makeNqm({ d: 10, binning: 'exact' });
  const s: Setting = { method: 'sgd', p: 0, lr: 0.1 };
  const a = monteCarlo(nqm, [s], 4, { runs: 20, steps: 5, key: key(1) });
  const b = monteCarlo(nqm, [s], 4, { runs: 20, steps: 5, key: key(1) });
  const c = monteCarlo(nqm, [s], 4, { runs: 20, steps: 5, key: key(2) });
  assert.equal(a[0]!.mean, b[0]!.mean);
  assert.notEqual(a[0]!.mean, c[0]!.mean);
  assert.throws(() => monteCarlo(nqm, [s], 4, { runs: 1, steps: 5, key: key(1) }), /runs must be an integer ≥ 2/);
  assert.throws(() => monteCarlo(nqm, [s], 0, { runs: 2, steps: 5, key: key(1) }), /batch size must be positive/);
});
