import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor } from '../../tensor/tensor.ts';
import * as random from '../../tensor/random.ts';
import { decodeTree, encodeTree } from '../../train/serialize.ts';
import { psgld } from './psgld.ts';

const vec = (xs: number[]) => new Tensor(Float64Array.from(xs), [xs.length]);

test('pSGLD: v ← αv + (1−α)g², θ ← θ − ηg/√(v+δ) (no noise during burn-in), TFP defaults α = 0.95, δ = 1e-8, 25 burn-in steps', () => {
  const opt = psgld(0.1, { beta: 10, key: random.key(0) });
  const params = { w: vec([1, -2]) };
  const g = { w: vec([0.5, -4]) };
  let state = opt.init(params);
  const [u, s1] = opt.update(g, state, { params, step: 0 });
  [0.5, -4].forEach((gi, i) => {
    const v = 0.05 * gi * gi;
    assert.ok(Math.abs((s1.nu as { w: Tensor }).w.data[i]! - v) < 1e-15);
    assert.ok(Math.abs((u as { w: Tensor }).w.data[i]! - (-0.1 * gi) / Math.sqrt(v + 1e-8)) < 1e-12);
  });
  state = decodeTree(JSON.parse(JSON.stringify(encodeTree(s1)))) as typeof s1;
  // After burn-in the noise is on: its spread is √(2ηG/β) per coordinate.
  const [a] = opt.update(g, state, { params, step: 25 });
  const [b] = opt.update(g, state, { params, step: 25 });
  assert.deepEqual(a, b, 'same step, same key: same noise');
  const [quiet] = opt.update(g, state, { params, step: 24 });
  assert.notDeepEqual(a, quiet);
  assert.throws(() => psgld(0.1, { beta: 0 }), /β must be a number > 0/);
  assert.throws(() => psgld(0, { beta: 1 }), /step size η must be a finite number > 0/);
  assert.throws(() => psgld(0.1, { beta: 1, decay: 1 }), /decay must be in \[0, 1\)/);
});
