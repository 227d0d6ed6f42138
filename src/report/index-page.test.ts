import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { reportHrefFor, writeIndex, type IndexEntry } from './index-page.ts';

const tmp = mkdtempSync(join(tmpdir(), 'trainscope-index-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const entries: IndexEntry[] = [
  {
    id: 'baselines/mnist-mlp',
    title: 'MNIST MLP baselines',
    paper: 'LeCun et al. (1998)',
    reportHref: 'baselines/mnist-mlp/report.html',
    status: 'complete',
    claims: [
      { id: 'a', statement: 'K-FAC beats SGD', expected: 'fewer steps', observed: '120 < 400', pass: true },
      { id: 'b', statement: 'Adam reaches 95 %', expected: '≥ 0.95', observed: '0.93', pass: false },
    ],
  },
  {
    id: 'nqm/critical-batch-size',
    title: 'Critical batch size <em>',
    paper: 'Zhang et al. (2019)',
    reportHref: 'nqm/critical-batch-size/report.html',
    status: 'incomplete',
    claims: [{ id: 'c', statement: 'Linear scaling up to a critical batch size', expected: 'x', observed: 'y', pass: true }],
  },
  { id: 'broken/one', title: 'Broken', paper: 'p', reportHref: null, status: 'failed', claims: [], error: 'out of memory <oops>' },
];

describe('writeIndex', () => {
  it('links every report with its claims table and pass counts', () => {
    const path = writeIndex(tmp, entries, { subtitle: 'preset small · seed 0' });
    assert.equal(path, join(tmp, 'index.html'));
    const html = readFileSync(path, 'utf8');
    assert.ok(!/<script|<link\b|\ssrc=/i.test(html), 'self-contained');
    assert.match(html, /<a href="baselines\/mnist-mlp\/report\.html">MNIST MLP baselines<\/a>/);
    assert.match(html, /<a href="nqm\/critical-batch-size\/report\.html">Critical batch size &lt;em&gt;<\/a>/);
    assert.match(html, /MNIST MLP baselines<\/a><span class="count">1\/2 claims pass<\/span>/);
    assert.match(html, /claims <strong>2\/3<\/strong> pass/);
    assert.match(html, /3 experiments \(1 complete, 1 failed\)/);
    assert.equal((html.match(/<table class="claims">/g) ?? []).length, 2);
    assert.match(html, /<span class="badge fail">FAIL<\/span><\/td><td>Adam reaches 95 %/);
    assert.match(html, /out of memory &lt;oops&gt;/);
    assert.match(html, /preset small · seed 0/);
  });

  it('builds encoded relative hrefs', () => {
    assert.equal(reportHrefFor('/out', '/out/baselines/mnist mlp/report.html'), 'baselines/mnist%20mlp/report.html');
  });
});
