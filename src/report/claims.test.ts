/** Claims whose inputs are missing are reported as 'not evaluated', counted apart, never dropped. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkClaim, claimCountText, claimCounts, claimStatus } from './claims.ts';
import { claimsTableHtml, claimsTableMarkdown } from './claims-table.ts';
import { renderIndexHtml } from './index-page.ts';
import { renderReportHtml } from './html.ts';
import { renderReportMarkdown } from './markdown.ts';
import { validateReportSpec } from './write-report.ts';
import { reportMeta, reportSpec } from '../../test/support/test-fixtures.ts';
import type { Claim } from './spec.ts';

const claims: Claim[] = [
  { id: 'ok', statement: 'Adam converges', expected: 'loss < 0.1', observed: '0.05', pass: true },
  { id: 'bad', statement: 'SGD converges', expected: 'loss < 0.1', observed: 0.4, pass: false },
  { id: 'nan', statement: 'K-FAC converges', expected: 'loss < 0.1', observed: NaN, pass: false },
  { id: 'undef', statement: 'K-FAC beats SGD', expected: 'fewer steps', pass: true },
  { id: 'null-pass', statement: 'Langevin mixes', expected: 'ESS > 100', observed: 'n/a', pass: null },
];

describe('claims', () => {
  it('claimStatus: observed missing or pass null → not evaluated; a NaN measurement fails', () => {
    assert.deepEqual(claims.map(claimStatus), ['pass', 'fail', 'fail', 'not evaluated', 'not evaluated']);
    assert.deepEqual(claimCounts(claims), { passed: 1, failed: 2, notEvaluated: 2, evaluated: 3, total: 5 });
    assert.equal(claimCountText(claims), '1/3 pass, 2 not evaluated');
    assert.equal(claimCountText(claims.slice(0, 2)), '1/2 pass');
  });

  it('checkClaim turns a missing value into a not-evaluated claim and formats present ones', () => {
    const at = (value: number | undefined | null) =>
      checkClaim({ id: 'x', statement: 's', expected: '≥ 0.9', value, holds: (v) => v >= 0.9, format: (v) => `${(100 * v).toFixed(1)} %` });
    assert.deepEqual(at(0.95), { id: 'x', statement: 's', expected: '≥ 0.9', observed: '95.0 %', pass: true });
    assert.equal(at(0.5).pass, false);
    for (const v of [undefined, null]) {
      const c = at(v);
      assert.equal(c.pass, null);
      assert.equal(claimStatus(c), 'not evaluated');
    }
    // A diverged run measured NaN: that is a failure, not a missing input.
    assert.deepEqual(at(NaN), { id: 'x', statement: 's', expected: '≥ 0.9', observed: 'NaN', pass: false });
    assert.equal(claimStatus(at(NaN)), 'fail');
  });

  it('tables, reports and the index show and count them, and the JSON round trip keeps them', () => {
    const html = claimsTableHtml(claims);
    assert.equal((html.match(/<span class="badge not-evaluated">NOT EVALUATED<\/span>/g) ?? []).length, 2);
    assert.match(html, /K-FAC beats SGD.*not evaluated \(inputs missing\)/);
    assert.equal((claimsTableMarkdown(claims).match(/NOT EVALUATED/g) ?? []).length, 2);
    const spec = reportSpec({ claims });
    validateReportSpec(spec);
    const page = renderReportHtml(spec, reportMeta(), []);
    assert.match(page, /Claims<span class="count">1\/3 pass, 2 not evaluated<\/span>/);
    assert.match(renderReportMarkdown(spec, reportMeta(), []), /## Claims \(1\/3 pass, 2 not evaluated\)/);
    // summary.json stores NaN as null and drops undefined: the status must survive that.
    const back = JSON.parse(JSON.stringify(claims)) as Claim[];
    assert.deepEqual(back.map(claimStatus), claims.map(claimStatus));
    const index = renderIndexHtml([{ id: 'e', title: 'E', paper: 'p', reportHref: 'e/report.html', status: 'complete', claims: back }]);
    assert.match(index, /1\/3 claims pass, 2 not evaluated/);
    assert.match(index, /claims <strong>1\/3<\/strong> pass · 2 not evaluated/);
    assert.equal((index.match(/NOT EVALUATED/g) ?? []).length, 2);
  });

  it('validateReportSpec still refuses a pass that is neither boolean nor null', () => {
    assert.throws(
      () => validateReportSpec(reportSpec({ claims: [{ id: 'x', statement: 's', expected: 'e', observed: 'o', pass: 'yes' as unknown as boolean }] })),
      /pass must be true, false or null/,
    );
  });
});
