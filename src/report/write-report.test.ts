import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { scopeSvgIds } from './svg-ids.ts';
import { lineFigure, logPointFigure, reportMeta, reportSpec } from '../../test/support/test-fixtures.ts';
import { validateReportSpec, writeReport } from './write-report.ts';

const tmp = mkdtempSync(join(tmpdir(), 'trainscope-report-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** A page is self-contained when it loads nothing: no script, stylesheet link, image source or import. */
function assertSelfContained(html: string): void {
  assert.ok(!/<script/i.test(html), 'no <script>');
  assert.ok(!/<link\b/i.test(html), 'no <link>');
  assert.ok(!/\ssrc=/i.test(html), 'no src=');
  assert.ok(!/@import|url\(\s*['"]?https?:/i.test(html), 'no CSS imports or remote urls');
}

describe('writeReport', () => {
  it('writes figures, report.md and a self-contained, escaped report.html', async () => {
    const dir = join(tmp, 'run1');
    const out = await writeReport(dir, reportSpec(), reportMeta());
    assert.deepEqual(readdirSync(join(dir, 'figures')).sort(), ['loss.png', 'loss.svg', 'spectrum.png', 'spectrum.svg']);
    for (const f of out.figures) {
      assert.ok(readFileSync(f.svg, 'utf8').startsWith('<svg'));
      assert.deepEqual([...readFileSync(f.png).subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
    }
    assert.equal(readdirSync(dir).filter((f) => f.includes('.tmp-')).length, 0, 'no temp files left');

    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    assertSelfContained(html);
    // The title's <script> is shown as text, not run; so are claims, table cells, config and the paper.
    assert.match(html, /<h1>Loss curves &lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt;<\/h1>/);
    assert.match(html, /<title>Loss curves &lt;script&gt;/);
    assert.match(html, /SGD reaches loss &lt; 0\.001 &amp; stays &lt;there&gt;/);
    assert.match(html, /adam &lt;b&gt;/);
    assert.match(html, /&lt;\/pre&gt;&lt;script&gt;x&lt;\/script&gt;/);
    assert.match(html, /Doe &amp; Roe \(2024\), &quot;On &lt;things&gt;&quot;/);
    // Claims table with badges and a pass count.
    assert.match(html, /<span class="badge pass">PASS<\/span><\/td><td>Adam reaches a lower loss than SGD/);
    assert.match(html, /<span class="badge fail">FAIL<\/span><\/td><td>SGD reaches/);
    assert.match(html, /Claims<span class="count">1\/2 pass<\/span>/);
    // Summary Markdown, inline SVG figures, tables and run info.
    assert.match(html, /<strong>small MLP<\/strong> with <code>sgd<\/code>/);
    assert.match(html, /<a href="https:\/\/example\.org\/paper">the paper<\/a>/);
    assert.equal((html.match(/<svg /g) ?? []).length, 2);
    assert.match(html, /<figure id="fig-loss">/);
    assert.match(html, /<td class="num">0\.123457<\/td>/);
    assert.match(html, /<td class="num">—<\/td>/);
    assert.match(html, /0123456789abcdef/);
    assert.ok(!html.includes('class="banner"'), 'a complete run has no warning banner');

    const md = readFileSync(join(dir, 'report.md'), 'utf8');
    assert.match(md, /^# Loss curves \\<script>alert/, 'raw HTML in the title is backslash-escaped');
    assert.match(md, /## Claims \(1\/2 pass\)/);
    assert.match(md, /\| ✅ PASS \| Adam reaches a lower loss than SGD \(`adam-faster`\) \| loss\(adam\) \\< loss\(sgd\) \| 0\.01 \\< 0\.12 \|/);
    assert.match(md, /\| ❌ FAIL \|/);
    assert.match(md, /!\[Training loss\]\(figures\/loss\.png\)/);
    assert.match(md, /\| optimizer \| loss \| steps \|\n\| --- \| ---: \| ---: \|/);
    assert.match(md, /"note": "<\/pre><script>x<\/script>"/, 'config is verbatim inside a code fence');
  });

  it('marks an incomplete run and shows figure warnings', async () => {
    const dir = join(tmp, 'run2');
    const spec = reportSpec({ figures: [logPointFigure([1, 0, 0.1], 'spectrum')] });
    await assert.rejects(writeReport(dir, spec, reportMeta({ status: 'incomplete' })), /figure 'spectrum'.*field 'lambda'/);
    assert.ok(!existsSync(join(dir, 'report.html')), 'nothing written when a figure fails');
    await writeReport(dir, spec, reportMeta({ status: 'incomplete' }), { nonPositiveLog: 'drop' });
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    assert.match(html, /class="banner"[^>]*>This run is <strong>incomplete<\/strong>/);
    assert.match(html, /<ul class="notes"><li>figure &#39;spectrum&#39;: 1 of 3 values/);
    assert.match(readFileSync(join(dir, 'report.md'), 'utf8'), /> \*\*This run is incomplete\*\*/);
  });

  it('gives each inlined figure its own SVG ids', async () => {
    const clipped = (id: string) => {
      const f = lineFigure(id, 5);
      return { ...f, vegaLite: { ...f.vegaLite, mark: { type: 'line', clip: true } } };
    };
    const dir = join(tmp, 'run3');
    await writeReport(dir, reportSpec({ figures: [clipped('a'), clipped('b')] }), reportMeta());
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]!);
    assert.ok(ids.some((id) => id.startsWith('fig-a-')) && ids.some((id) => id.startsWith('fig-b-')), `scoped clip ids: ${ids.join(' ')}`);
    assert.equal(new Set(ids).size, ids.length, 'ids are unique in the page');
    for (const m of html.matchAll(/url\(#([^)]+)\)/g)) assert.ok(ids.includes(m[1]!), `url(#${m[1]}) resolves`);
  });

  it('rejects spec mistakes with a clear message', () => {
    assert.throws(() => validateReportSpec(reportSpec({ figures: [lineFigure('../x')] })), /figure id '\.\.\/x' is not a safe file name/);
    assert.throws(() => validateReportSpec(reportSpec({ figures: [lineFigure('a'), lineFigure('a')] })), /figure id 'a' is used twice/);
    assert.throws(
      () => validateReportSpec(reportSpec({ tables: [{ id: 't', title: 't', columns: ['a', 'b'], rows: [[1]] }] })),
      /table 't': row 0 has 1 cells but there are 2 columns/,
    );
  });
});

describe('scopeSvgIds', () => {
  it('prefixes ids and their references only', () => {
    const svg = '<svg><defs><clipPath id="clip1"><rect/></clipPath></defs><g clip-path="url(#clip1)"><use href="#clip1"/><a href="#other"/></g></svg>';
    assert.equal(
      scopeSvgIds(svg, 'fig-x'),
      '<svg><defs><clipPath id="fig-x-clip1"><rect/></clipPath></defs><g clip-path="url(#fig-x-clip1)"><use href="#fig-x-clip1"/><a href="#other"/></g></svg>',
    );
  });
});
