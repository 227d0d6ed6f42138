/**
 * report.md: the same report as Markdown, for reading in a terminal, a repository browser or a
 * pull request. Figures are linked as PNG (Markdown viewers show PNG everywhere, inline SVG rarely).
 */
import { claimsTableMarkdown } from './claims-table.ts';
import { escapeMarkdownCell, escapeMarkdownText } from './escape.ts';
import type { FigureForPage } from './html.ts';
import { formatCell, passCount, runInfoRows, type ReportMeta } from './meta.ts';
import type { ReportSpec, TableSpec } from './spec.ts';

export function tableMarkdown(t: TableSpec): string {
  const numeric = t.columns.map((_, j) => t.rows.length > 0 && t.rows.every((r) => typeof r[j] === 'number' || r[j] === null));
  return [
    `| ${t.columns.map(escapeMarkdownCell).join(' | ')} |`,
    `| ${numeric.map((n) => (n ? '---:' : '---')).join(' | ')} |`,
    ...t.rows.map((r) => `| ${r.map((v) => escapeMarkdownCell(formatCell(v))).join(' | ')} |`),
  ].join('\n');
}

/** A fenced block that the content cannot close: one backtick more than its longest run. */
function fence(content: string, lang: string): string {
  const longest = Math.max(2, ...[...content.matchAll(/`+/g)].map((m) => m[0].length));
  const f = '`'.repeat(longest + 1);
  return `${f}${lang}\n${content}\n${f}`;
}

export function renderReportMarkdown(spec: ReportSpec, meta: ReportMeta, figures: readonly FigureForPage[]): string {
  const { passed, total, notEvaluated } = passCount(spec.claims);
  const notEval = notEvaluated ? `, ${notEvaluated} not evaluated` : '';
  const out: string[] = [];
  out.push(`# ${escapeMarkdownText(spec.title)}`, '');
  if (meta.title && meta.title !== spec.title) out.push(`${escapeMarkdownText(meta.title)}`, '');
  out.push(
    `- **Experiment:** \`${meta.experiment.replace(/`/g, "'")}\``,
    `- **Paper:** ${escapeMarkdownText(meta.paper)}`,
    `- **Preset:** ${escapeMarkdownText(meta.preset)} · **Seed:** ${escapeMarkdownText(meta.seed)} · **Status:** ${escapeMarkdownText(meta.status)}`,
    `- **Claims:** ${passed}/${total} pass${notEval}`,
    '',
  );
  if (meta.status !== 'complete') out.push(`> **This run is ${escapeMarkdownText(meta.status)}**: its results and claims may be partial.`, '');
  out.push('## Summary', '', spec.summary.trim(), '');
  out.push(`## Claims (${passed}/${total} pass${notEval})`, '', claimsTableMarkdown(spec.claims), '');
  if (figures.length) {
    out.push('## Figures', '');
    for (const f of figures) {
      const file = `figures/${encodeURIComponent(f.id)}`;
      out.push(`### ${escapeMarkdownText(f.title)}`, '', `![${escapeMarkdownText(f.title).replace(/[[\]]/g, '')}](${file}.png)`, '');
      if (f.caption) out.push(escapeMarkdownText(f.caption), '');
      for (const w of f.warnings) out.push(`> ⚠ ${escapeMarkdownText(w)}`, '');
      out.push(`[SVG](${file}.svg) · [PNG](${file}.png)`, '');
    }
  }
  if (spec.tables.length) {
    out.push('## Tables', '');
    for (const t of spec.tables) out.push(`### ${escapeMarkdownText(t.title)}`, '', tableMarkdown(t), '');
  }
  out.push('## Run', '', '| | |', '| --- | --- |', ...runInfoRows(meta).map(([k, v]) => `| ${escapeMarkdownCell(k)} | ${escapeMarkdownCell(v)} |`), '');
  out.push('### Config', '', fence(JSON.stringify(meta.config, null, 2), 'json'), '');
  return out.join('\n');
}
