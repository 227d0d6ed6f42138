import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig } from '../config.ts';
import { executeRun, initRunDir } from '../run-folder.ts';
import type { Experiment } from '../experiment.ts';
import { criticalBatchSize } from './critical-batch-size.ts';
import { schedules } from './schedules.ts';
import { getExperiment } from '../registry.ts';

async function runSmoke(exp: Experiment<any, any>): Promise<{ claims: { id: string; pass: boolean | null }[]; result: any }> {
  const dir = mkdtempSync(join(tmpdir(), 'nqm-test-'));
  try {
    initRunDir(join(dir, 'run'), exp, resolveConfig(exp, { preset: 'smoke' }), 'smoke', 0);
    await executeRun(join(dir, 'run'), exp, { progress: () => {}, signal: new AbortController().signal });
    return JSON.parse(readFileSync(join(dir, 'run', 'summary.json'), 'utf8'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('both NQM experiments are registered', () => {
  assert.equal(getExperiment('nqm/critical-batch-size'), criticalBatchSize);
  assert.equal(getExperiment('nqm/schedules'), schedules);
});

test('nqm/critical-batch-size smoke: summary.json holds stepsToTarget and bCrit rows, the NQM settings, and every claim', async () => {
  const s = await runSmoke(criticalBatchSize);
  const r = s.result;
  assert.deepEqual({ d: r.nqm.d, binning: r.nqm.binning, target: r.nqm.target }, { d: 10_000, binning: 'bins', target: 0.01 });
  // smoke: p ∈ {0, .5} × 3 methods × B ∈ {4, 256, 16384, 2^20}
  assert.equal(r.stepsToTarget.length, 2 * 3 * 4);
  for (const row of r.stepsToTarget) {
    assert.ok(['sgd', 'momentum', 'ema'].includes(row.method));
    assert.ok(row.steps === null || (Number.isInteger(row.steps) && row.steps >= 1));
    if (row.steps !== null) assert.ok(row.steps >= 10_000 / (2 * 0.01 * row.B), `lower bound at B=${row.B}`);
    if (row.method === 'momentum' && row.steps !== null) assert.equal(typeof row.beta, 'number');
    if (row.method === 'ema' && row.steps !== null) assert.equal(typeof row.gamma, 'number');
    if (row.method === 'sgd') assert.ok(!('beta' in row) && !('gamma' in row));
  }
  assert.equal(r.bCrit.length, 6);
  for (const b of r.bCrit) assert.deepEqual(Object.keys(b).sort(), ['bCrit', 'eMin', 'method', 'p', 'r2', 'sMin']);
  assert.ok(r.monteCarlo.rows.length === 3);
  const ids = s.claims.map((c) => c.id);
  for (const id of [
    'monte-carlo-sgd',
    'perfect-scaling',
    'bcrit-monotone-in-p',
    'bcrit-ratio',
    'momentum-small-batch',
    'momentum-large-batch',
    'ema-small-batch',
    'ema-large-batch',
    'lower-bound',
  ])
    assert.ok(ids.includes(id), id);
  assert.equal(s.claims.find((c) => c.id === 'lower-bound')!.pass, true);
});

test('nqm/schedules smoke: schedules beat the constant LR at B = 4 and rows carry both baselines', async () => {
  const s = await runSmoke(schedules);
  const [small, large] = s.result.comparison;
  assert.equal(small.B, 4);
  assert.ok(small.scheduleSteps < small.constantSteps);
  assert.equal(small.lrs.length, 10);
  assert.ok(large.constantCappedSteps !== null && large.scheduleSteps !== null);
  assert.equal(s.result.shapes[0].lrs.length, 10);
});
