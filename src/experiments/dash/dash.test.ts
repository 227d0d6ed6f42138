import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveConfig } from '../config.ts';
import { runSmoke } from '../../../test/support/run-smoke.ts';
import { getExperiment } from '../registry.ts';
import { STRATEGIES } from '../../methods/dash/protocol.ts';
import { dashAblation } from './ablation.ts';
import { dashFeatureLearning } from './feature-learning.ts';
import { dashWarmStart } from './warm-start.ts';

test('the three dash experiments are registered', () => {
  assert.equal(getExperiment('dash/feature-learning'), dashFeatureLearning);
  assert.equal(getExperiment('dash/warm-start'), dashWarmStart);
  assert.equal(getExperiment('dash/ablation'), dashAblation);
});

test('dash/feature-learning smoke: rows per strategy, experiment and seed; the four claims are evaluated', async () => {
  const s = await runSmoke(dashFeatureLearning);
  const rows = s.result.rows;
  assert.equal(rows.length, 3 * 8);
  for (const r of rows) {
    assert.deepEqual(Object.keys(r).sort(), ['cost', 'experiment', 'learnedFeatures', 'seed', 'strategy', 'testAccuracy']);
    assert.ok(['cold', 'warm', 'ideal'].includes(r.strategy) && r.testAccuracy >= 0.5 && r.testAccuracy <= 1);
  }
  assert.deepEqual(
    s.claims.map((c: any) => c.pass),
    [true, true, true, true],
  );
});

test('dash/warm-start smoke: one row { strategy, seed, chunk, testAccuracy, steps, extraPasses } per strategy and chunk', async () => {
  const s = await runSmoke(dashWarmStart);
  const rows = s.result.rows;
  assert.equal(rows.length, STRATEGIES.length * 3);
  for (const r of rows) assert.deepEqual(Object.keys(r), ['strategy', 'seed', 'chunk', 'testAccuracy', 'steps', 'extraPasses']);
  for (const r of rows) assert.equal(r.extraPasses > 0, r.strategy === 'dash' && r.chunk > 0);
  assert.equal(s.claims.length, 4);
  assert.ok(s.claims.every((c: any) => c.pass === true || c.pass === false));
});

test('dash/warm-start refuses more chunks than examples and λ outside (0, 1]', () => {
  assert.throws(() => resolveConfig(dashWarmStart, { preset: 'smoke', sets: ['trainSize=20', 'chunks=30'] }), /more chunks than training examples/);
  assert.throws(() => resolveConfig(dashWarmStart, { preset: 'smoke', sets: ['dashLambda=0'] }), /dashLambda/);
  assert.throws(() => resolveConfig(dashWarmStart, { preset: 'smoke', sets: ['dashAlpha=1.5'] }), /dashAlpha/);
});

test('dash/ablation smoke: λ = 1 reproduces warm exactly', async () => {
  const s = await runSmoke(dashAblation);
  const c = s.claims.find((x: any) => x.id === 'lambda-1-is-warm');
  assert.equal(c.pass, true);
  const l1 = s.result.grid.find((g: any) => g.lambda === 1);
  assert.equal(l1.meanTestAccuracy, s.result.warm[0].meanTestAccuracy);
});
