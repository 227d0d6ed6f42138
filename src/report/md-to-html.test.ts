import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { escapeHtml, safeHref } from './escape.ts';
import { markdownToHtml } from './md-to-html.ts';

describe('markdownToHtml', () => {
  it('renders paragraphs, bold, italic, code and links', () => {
    const html = markdownToHtml('An **MLP** with `lr = 0.1` and *momentum*,\nsee [paper](https://arxiv.org/abs/1).\n\nSecond paragraph with snake_case_name.');
    assert.equal(
      html,
      '<p>An <strong>MLP</strong> with <code>lr = 0.1</code> and <em>momentum</em>, see <a href="https://arxiv.org/abs/1">paper</a>.</p>\n' +
        '<p>Second paragraph with snake_case_name.</p>',
    );
  });

  it('renders bullet lists', () => {
    assert.equal(markdownToHtml('- one\n- **two**'), '<ul><li>one</li><li><strong>two</strong></li></ul>');
  });

  it('escapes raw HTML everywhere, including inside code and link labels', () => {
    const html = markdownToHtml('<script>alert(1)</script> `<b>` [<i>x</i>](https://a.b/?q=1&r="2")');
    assert.ok(!html.includes('<script'));
    assert.ok(!html.includes('<b>') && !html.includes('<i>'));
    assert.match(html, /&lt;script&gt;/);
    assert.match(html, /<code>&lt;b&gt;<\/code>/);
    assert.match(html, /href="https:\/\/a\.b\/\?q=1&amp;r=&quot;2&quot;"/);
  });

  it('renders links with unsafe schemes as plain text', () => {
    const html = markdownToHtml('[click](javascript:alert(1)) [d](data:text/html,x) [ok](runs/a/report.html)');
    assert.ok(!html.includes('javascript:'), html);
    assert.ok(!html.includes('href="data:'), html);
    assert.match(html, /<a href="runs\/a\/report\.html">ok<\/a>/);
  });
});

describe('escaping helpers', () => {
  it('escapes the five HTML-special characters', () => {
    assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
  it('accepts only safe link schemes', () => {
    assert.equal(safeHref('https://x.org'), 'https://x.org');
    assert.equal(safeHref('a/b.html'), 'a/b.html');
    assert.equal(safeHref('#claims'), '#claims');
    assert.equal(safeHref(' JavaScript:alert(1)'), null);
    assert.equal(safeHref('java\nscript:alert(1)'), null);
    assert.equal(safeHref('vbscript:x'), null);
  });
});
