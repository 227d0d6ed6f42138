/** reproduce: a failing experiment is recorded as failed in index.html and the others still run. */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { reproduce } from './reproduce.ts';
import { countingExperiment, failingExperiment } from '../../test/support/test-experiments.ts';

test('one experiment forced to fail: the index lists every other one complete and that one failed', async () => {
  const out = mkdtempSync(join(tmpdir(), 'trainscope-repro-'));
  const experiments = [countingExperiment('test/first'), failingExperiment('test/broken'), countingExperiment('test/last')];
  const lines: string[] = [];
  const r = await reproduce({ out, preset: 'smoke', seed: 1, signal: new AbortController().signal, experiments, log: (l) => lines.push(l) });
  assert.equal(r.failed, 1);
  assert.equal(r.interrupted, false);
  assert.deepEqual(
    r.entries.map((e) => [e.id, e.status]),
    [
      ['test/first', 'complete'],
      ['test/broken', 'failed'],
      ['test/last', 'complete'],
    ],
  );
  assert.equal(r.index, join(out, 'index.html'));
  const html = readFileSync(r.index!, 'utf8');
  for (const id of ['test/first', 'test/last']) {
    assert.ok(existsSync(join(out, id, 'report.html')), `${id} has a report`);
    assert.ok(html.includes(`href="${id}/report.html"`), `index links ${id}`);
  }
  assert.match(html, /injected failure: the loss diverged at step 1/);
  assert.match(html, /<section class="entry" id="exp-test\/broken">[\s\S]*?badge status ">failed</);
  assert.match(html, /3 experiments \(2 complete, 1 failed\)/);
  assert.match(html, /claims <strong>2\/2<\/strong> pass/);
  const manifest = JSON.parse(readFileSync(join(out, 'test/broken', 'manifest.json'), 'utf8'));
  assert.equal(manifest.status, 'failed');
  assert.match(manifest.error, /injected failure/);
  assert.ok(lines.some((l) => /test\/broken failed: injected failure/.test(l)));

  // Running again reuses the complete runs and retries the failed one (which fails again).
  const again = await reproduce({ out, preset: 'smoke', seed: 1, signal: new AbortController().signal, experiments });
  assert.equal(again.failed, 1);
  assert.equal(JSON.parse(readFileSync(join(out, 'test/broken', 'manifest.json'), 'utf8')).resumes.length, 1);
});

test('a folder holding another config is a failure of that experiment only', async () => {
  const out = mkdtempSync(join(tmpdir(), 'trainscope-repro-'));
  const experiments = [countingExperiment('test/a'), countingExperiment('test/b')];
  await reproduce({ out, preset: 'smoke', seed: 1, signal: new AbortController().signal, experiments: experiments.slice(0, 1) });
  const r = await reproduce({ out, preset: 'smoke', seed: 2, signal: new AbortController().signal, experiments });
  assert.deepEqual(
    r.entries.map((e) => e.status),
    ['failed', 'complete'],
  );
  assert.match(r.entries[0]!.error!, /holds a run with a different config or seed/);
});

test('a run whose process died and whose resume is refused (the backend changed) shows as interrupted in index.html, not failed', async () => {
  const { writeFileSync } = await import('node:fs');
  const { claimsFailed } = await import('./reproduce.ts');
  const out = mkdtempSync(join(tmpdir(), 'trainscope-repro-'));
  const experiments = [countingExperiment('test/died')];
  await reproduce({ out, preset: 'smoke', seed: 1, signal: new AbortController().signal, experiments });
  const path = join(out, 'test/died', 'manifest.json');
  const m = JSON.parse(readFileSync(path, 'utf8'));
  // As a kill -9 leaves it: 'running', no lock; and since then the backend changed.
  writeFileSync(path, JSON.stringify({ ...m, status: 'running', backend: m.backend === 'js' ? 'wasm' : 'js' }));
  const r = await reproduce({ out, preset: 'smoke', seed: 1, signal: new AbortController().signal, experiments });
  assert.deepEqual(
    r.entries.map((e) => e.status),
    ['interrupted'],
  );
  assert.match(r.entries[0]!.error!, /refusing to resume: backend .* pass --allow-mismatch/);
  assert.match(readFileSync(r.index!, 'utf8'), /badge status ">interrupted</);
  assert.deepEqual(claimsFailed(r.entries), []);
  assert.deepEqual(
    claimsFailed([
      {
        id: 'x',
        title: '',
        paper: '',
        reportHref: null,
        status: 'complete',
        claims: [
          { id: 'ok', statement: '', expected: '', observed: 1, pass: true },
          { id: 'bad', statement: '', expected: '', observed: 1, pass: false },
        ],
      },
    ]),
    ['x:bad'],
  );
});
