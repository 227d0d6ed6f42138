/**
 * dash/warm-start as a sweep (src/experiments/dash/warm-start-sweep.ts): here, not beside the
 * experiment, because experiments/ must not import sweeps/ (the layer above it).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { STRATEGIES } from '../src/methods/dash/protocol.ts';
import { dashWarmStart } from '../src/experiments/dash/warm-start.ts';
import { WARM_START_SWEEPS } from '../src/experiments/dash/warm-start-sweep.ts';
import { runSweep } from '../src/sweeps/run-sweep.ts';
import { inlineExecutor } from '../src/sweeps/executor.ts';
import { runSmoke } from './support/run-smoke.ts';

test('dash/warm-start as a sweep: each (strategy, seed) cell computes exactly the whole-study run’s rows; the claims are stated across cells', async () => {
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
    // The same verdicts and measured values as the whole-study run (both reduce to the same per-cell samples).
    const verdicts = (cs: any[]): unknown[] => cs.map((c) => [c.id, c.pass, c.observed]);
    assert.deepEqual(verdicts(summary.claims), verdicts(whole.claims));
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
