import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig } from '../config.ts';
import { executeRun, initRunDir } from '../run-folder.ts';
import type { Experiment } from '../experiment.ts';
import { getExperiment } from '../registry.ts';
import { STRATEGIES } from '../../methods/dash/protocol.ts';
import { dashAblation } from './ablation.ts';
import { dashFeatureLearning } from './feature-learning.ts';
import { dashWarmStart } from './warm-start.ts';

async function runSmoke(exp: Experiment<any, any>, sets: string[] = [], seed = 0): Promise<any> {
  const dir = mkdtempSync(join(tmpdir(), 'dash-test-'));
  try {
    initRunDir(join(dir, 'run'), exp, resolveConfig(exp, { preset: 'smoke', sets }), 'smoke', seed);
    await executeRun(join(dir, 'run'), exp, { progress: () => {}, signal: new AbortController().signal });
    return JSON.parse(readFileSync(join(dir, 'run', 'summary.json'), 'utf8'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

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

test('dash/warm-start as a sweep: each (strategy, seed) cell computes exactly the whole-study run’s rows; the claims are stated across cells', async () => {
  const { runSweep } = await import('../../sweeps/run-sweep.ts');
  const { inlineExecutor } = await import('../../sweeps/executor.ts');
  const { WARM_START_SWEEPS } = await import('./warm-start-sweep.ts');
  const declared = WARM_START_SWEEPS.smoke;
  // The declared list names every strategy exactly once.
  assert.deepEqual(declared.axes.list!.map((e) => (e['strategies'] as string[])[0]).sort(), [...STRATEGIES].sort());
  const dir = mkdtempSync(join(tmpdir(), 'dash-sweep-'));
  try {
    // Seeds 1 and 2 as a sweep (one cell per strategy and seed) vs one study run at seed 1 with seeds=2.
    const spec = { experiment: 'dash/warm-start', preset: 'smoke' as const, sets: [...declared.sets!], axes: declared.axes, seeds: [1, 2] };
    const r = await runSweep({ dir, spec, experiment: { id: 'dash/warm-start' }, executor: inlineExecutor(), signal: new AbortController().signal });
    assert.equal(r.ran, 2 * STRATEGIES.length);
    const sweepRows = readdirSync(join(dir, 'cells')).flatMap((c) => JSON.parse(readFileSync(join(dir, 'cells', c, 'summary.json'), 'utf8')).result.rows);
    const whole = await runSmoke(dashWarmStart, ['seeds=2'], 1);
    const key = (x: any): string => `${x.strategy}/${x.seed}/${x.chunk}`;
    const sort = (rows: any[]): any[] => [...rows].sort((a, b) => key(a).localeCompare(key(b)));
    assert.deepEqual(sort(sweepRows), sort(whole.result.rows));
    // Claims across cells: the same four, from the per-strategy means over seeds.
    const report = readFileSync(join(dir, 'report.md'), 'utf8');
    for (const id of ['plasticity-gap', 'dash-matches-cold', 'dash-cheaper-than-cold', 'dash-beats-sp']) assert.match(report, new RegExp(`\\(\`${id}\`\\)`));
    const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
    assert.deepEqual(summary.cells, { total: 14, complete: 14, failed: 0 });
    assert.deepEqual(
      summary.claims.map((c: any) => c.id),
      ['plasticity-gap', 'dash-matches-cold', 'dash-cheaper-than-cold', 'dash-beats-sp'],
    );
    assert.ok(summary.claims.every((c: any) => c.pass === true || c.pass === false));
    const agg = JSON.parse(readFileSync(join(dir, 'aggregate.json'), 'utf8'));
    const cold = agg.points.find((p: any) => p.values.strategies[0] === 'cold');
    const coldMean = whole.result.cells.filter((c: any) => c.strategy === 'cold').reduce((a: number, c: any) => a + c.meanTestAccuracy / 2, 0);
    assert.ok(Math.abs(cold.metrics.meanTestAccuracy.mean - coldMean) < 1e-12);
    // Per-chunk curves are drawn across cells but kept out of the tables.
    assert.ok('testAccuracy.chunk2' in cold.metrics);
    assert.doesNotMatch(report.split('## Tables')[1]!, /chunk2/);
    assert.match(report, /Test accuracy after each chunk/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
