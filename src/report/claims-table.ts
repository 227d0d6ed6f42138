/**
 * The claims table, shared by report.html and index.html: one row per claim with a PASS/FAIL/
 * NOT EVALUATED badge, the statement, what the paper leads us to expect and what this run observed.
 */
import { claimStatus, observedText, type ClaimStatus } from './claims.ts';
import { escapeHtml, escapeMarkdownCell } from './escape.ts';
import type { Claim } from './spec.ts';

const ROW_CLASS: Record<ClaimStatus, string> = { pass: 'pass', fail: 'fail', 'not evaluated': 'not-evaluated' };

export function claimsTableHtml(claims: readonly Claim[]): string {
  if (claims.length === 0) return '<p class="muted">This experiment states no claims.</p>';
  const rows = claims.map((c) => {
    const status = claimStatus(c);
    return (
      `<tr class="${ROW_CLASS[status]}"><td>${statusBadge(status)}</td>` +
      `<td>${escapeHtml(c.statement)}<span class="claim-id">${escapeHtml(c.id)}</span></td>` +
      `<td>${escapeHtml(c.expected)}</td><td>${escapeHtml(observedText(c))}</td></tr>`
    );
  });
  return `<table class="claims"><thead><tr><th>Result</th><th>Claim</th><th>Expected</th><th>Observed</th></tr></thead><tbody>\n${rows.join('\n')}\n</tbody></table>`;
}

function statusBadge(status: ClaimStatus): string {
  if (status === 'not evaluated') return '<span class="badge not-evaluated">NOT EVALUATED</span>';
  return badgeHtml(status === 'pass');
}

export function badgeHtml(pass: boolean): string {
  return pass ? '<span class="badge pass">PASS</span>' : '<span class="badge fail">FAIL</span>';
}

const MD_BADGE: Record<ClaimStatus, string> = { pass: '✅ PASS', fail: '❌ FAIL', 'not evaluated': '⚪ NOT EVALUATED' };

export function claimsTableMarkdown(claims: readonly Claim[]): string {
  if (claims.length === 0) return '_This experiment states no claims._';
  const rows = claims.map(
    (c) =>
      `| ${MD_BADGE[claimStatus(c)]} | ${escapeMarkdownCell(c.statement)} (\`${c.id.replace(/`/g, "'").replace(/\|/g, '\\|')}\`) | ${escapeMarkdownCell(c.expected)} | ${escapeMarkdownCell(observedText(c))} |`,
  );
  return ['| Result | Claim | Expected | Observed |', '| --- | --- | --- | --- |', ...rows].join('\n');
}
