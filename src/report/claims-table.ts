/**
 * The claims table, shared by report.html and index.html: one row per claim with a PASS/FAIL badge,
 * the statement, what the paper leads us to expect and what this run observed.
 */
import { escapeHtml, escapeMarkdownCell } from './escape.ts';
import type { Claim } from './spec.ts';

export function claimsTableHtml(claims: readonly Claim[]): string {
  if (claims.length === 0) return '<p class="muted">This experiment states no claims.</p>';
  const rows = claims.map(
    (c) =>
      `<tr class="${c.pass ? 'pass' : 'fail'}"><td>${badgeHtml(c.pass)}</td>` +
      `<td>${escapeHtml(c.statement)}<span class="claim-id">${escapeHtml(c.id)}</span></td>` +
      `<td>${escapeHtml(c.expected)}</td><td>${escapeHtml(c.observed)}</td></tr>`,
  );
  return `<table class="claims"><thead><tr><th>Result</th><th>Claim</th><th>Expected</th><th>Observed</th></tr></thead><tbody>\n${rows.join('\n')}\n</tbody></table>`;
}

export function badgeHtml(pass: boolean): string {
  return pass ? '<span class="badge pass">PASS</span>' : '<span class="badge fail">FAIL</span>';
}

export function claimsTableMarkdown(claims: readonly Claim[]): string {
  if (claims.length === 0) return '_This experiment states no claims._';
  const rows = claims.map((c) => `| ${c.pass ? '✅ PASS' : '❌ FAIL'} | ${escapeMarkdownCell(c.statement)} (\`${c.id.replace(/`/g, "'").replace(/\|/g, '\\|')}\`) | ${escapeMarkdownCell(c.expected)} | ${escapeMarkdownCell(c.observed)} |`);
  return ['| Result | Claim | Expected | Observed |', '| --- | --- | --- | --- |', ...rows].join('\n');
}
