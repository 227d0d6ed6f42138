/**
 * The four amortized-eigen experiments at preset smoke: they complete, their reports hold the
 * claims and timing tables, and metrics.jsonl is byte-identical for the same seed (timings live
 * only in the run result and tables, never in the metrics).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { reproduce } from '../reproduce.ts';
import { convergence } from './convergence.ts';
import { nuclearNorm } from './nuclear-norm.ts';
import { lowrankGcn } from './lowrank-gcn.ts';
import { latentPca } from './latent-pca.ts';
import { EXPERIMENTS } from '../registry.ts';

const experiments = [convergence, nuclearNorm, lowrankGcn, latentPca];

test('amortized-eigen experiments are registered', () => {
  for (const e of experiments) assert.ok(EXPERIMENTS.includes(e), `${e.id} is registered`);
});

test('smoke runs complete with claims, and the same seed gives byte-identical metrics', async () => {
  const outs = [mkdtempSync(join(tmpdir(), 'ae-smoke-a-')), mkdtempSync(join(tmpdir(), 'ae-smoke-b-'))];
  for (const out of outs) {
    const r = await reproduce({ out, preset: 'smoke', seed: 3, signal: new AbortController().signal, experiments });
    assert.equal(r.failed, 0, JSON.stringify(r.entries));
  }
  for (const e of experiments) {
    const [a, b] = outs.map((o) => readFileSync(join(o, e.id, 'metrics.jsonl'), 'utf8'));
    assert.ok(a!.length > 0, `${e.id} logged metrics`);
    assert.equal(a, b, `${e.id}: metrics.jsonl differs between two runs with seed 3`);
    assert.doesNotMatch(a!, /"(ms|t0|t1|t2|speedUp|stepMs|eighMs)"/, `${e.id}: no timings in metrics.jsonl`);
    const summary = JSON.parse(readFileSync(join(outs[0]!, e.id, 'summary.json'), 'utf8'));
    assert.ok(summary.claims.length >= 2, `${e.id} has claims`);
    for (const c of summary.claims) assert.ok(c.pass === true || c.pass === false, `${e.id}/${c.id} was evaluated`);
  }
  const nn = readFileSync(join(outs[0]!, 'amortized-eigen/nuclear-norm', 'report.md'), 'utf8');
  assert.match(nn, /speed-up \(t1−t0\)\/\(t2−t0\)/);
});
