/** Both qubo-qnn experiments run end to end on their smoke presets into a run folder, with every claim evaluated. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig } from '../config.ts';
import { executeRun, initRunDir, readSummary } from '../run-folder.ts';
import { getExperiment } from '../registry.ts';
import { key } from '../../tensor/prng.ts';
import { solverCell, solverCells } from './solvers.ts';
import { trainCell } from './train.ts';

for (const id of ['qubo-qnn/solvers', 'qubo-qnn/train']) {
  test(`${id} smoke: completes with every claim evaluated (pass or fail, none missing)`, async () => {
    const exp = getExperiment(id);
    const dir = join(mkdtempSync(join(tmpdir(), 'trainscope-qubo-exp-')), 'run');
    initRunDir(dir, exp, resolveConfig(exp, { preset: 'smoke' }), 'smoke', 0);
    const { manifest } = await executeRun(dir, exp, { progress: () => {}, signal: new AbortController().signal });
    assert.equal(manifest.status, 'complete', manifest.error);
    const s = readSummary(dir);
    assert.ok(s.claims.length >= 3);
    for (const c of s.claims) assert.notEqual(c.pass, null, `${c.id} not evaluated`);
  });
}

test('grid cells are pure: the same cell and key give the same row', () => {
  const exp = getExperiment('qubo-qnn/solvers');
  const c = resolveConfig(exp, { preset: 'smoke' }) as Parameters<typeof solverCell>[1];
  const cell = solverCells(c).find((x) => x.solver === 'sa')!;
  const a = solverCell(cell, c, key(3));
  const b = solverCell(cell, c, key(3));
  assert.deepEqual({ ...a, timeMs: 0, tts99Ms: 0 }, { ...b, timeMs: 0, tts99Ms: 0 });
  const t = getExperiment('qubo-qnn/train');
  const tc = resolveConfig(t, { preset: 'smoke' }) as Parameters<typeof trainCell>[1];
  const r1 = trainCell({ method: 'qcgd', encoding: 'one-hot', seed: 0 }, tc, key(1));
  const r2 = trainCell({ method: 'qcgd', encoding: 'one-hot', seed: 0 }, tc, key(1));
  assert.deepEqual(r1, r2);
  assert.equal(r1.feasible, true);
});
