/** Run folders: the manifest's dtype and resumes, and the partial JSONL streamed beside metrics.jsonl. */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { kernels } from '../kernels/backend.ts';
import { executeRun, initRunDir, readRun } from './run-folder.ts';
import { countingExperiment } from '../../test/support/test-experiments.ts';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'trainscope-runfolder-'));

test('an interrupted run resumed: the manifest lists the resume (time, backend, where it stopped); metrics match an uninterrupted run', async () => {
  const exp = countingExperiment();
  const full = join(tmp(), 'full');
  initRunDir(full, exp, { steps: 5, delayMs: 0 }, 'small', 0);
  await executeRun(full, exp, { progress: () => {}, signal: new AbortController().signal });
  const fm = readRun(full).manifest;
  assert.equal(fm.dtype, 'float64');
  assert.equal(fm.resumes, undefined);
  assert.ok(fm.startedAt);

  const cut = join(tmp(), 'cut');
  initRunDir(cut, exp, { steps: 5, delayMs: 0 }, 'small', 0);
  const ctrl = new AbortController();
  const first = await executeRun(cut, exp, { progress: (u) => u.step === 3 && ctrl.abort(), signal: ctrl.signal });
  assert.equal(first.manifest.status, 'incomplete');
  assert.equal(readFileSync(join(cut, 'metrics.jsonl'), 'utf8'), '', 'an unfinished stage writes nothing to metrics.jsonl');
  assert.equal(readFileSync(join(cut, 'metrics.partial.jsonl'), 'utf8').trim().split('\n').length, 5, 'but streamed every record');
  const second = await executeRun(cut, exp, { progress: () => {}, signal: new AbortController().signal });
  assert.equal(second.manifest.status, 'complete');
  const resumes = readRun(cut).manifest.resumes!;
  assert.equal(resumes.length, 1);
  assert.equal(resumes[0]!.backend, kernels().name);
  assert.equal(resumes[0]!.stage, 'count');
  assert.equal(resumes[0]!.step, 5);
  assert.ok(!Number.isNaN(Date.parse(resumes[0]!.at)));
  assert.equal(readFileSync(join(cut, 'metrics.jsonl'), 'utf8'), readFileSync(join(full, 'metrics.jsonl'), 'utf8'));
  assert.ok(!existsSync(join(cut, 'metrics.partial.jsonl')));
});

test("the manifest's dtype is the config's dtype key when it has one", () => {
  const dir = join(tmp(), 'f32');
  assert.equal(initRunDir(dir, countingExperiment(), { steps: 1, dtype: 'float32' }, 'small', 0).dtype, 'float32');
});
