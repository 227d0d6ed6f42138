/**
 * writeReport: render a run's figures and write figures/<id>.svg|png, report.md and report.html
 * into its run folder. Figures are rendered (and checked) before anything is written, and
 * report.html is written last, so a folder with a report.html has a whole report.
 */
import { join } from 'node:path';
import { renderFigure, type RenderOptions } from './figures.ts';
import { renderReportHtml, type FigureForPage } from './html.ts';
import { renderReportMarkdown } from './markdown.ts';
import type { ReportMeta } from './meta.ts';
import type { ReportSpec } from './spec.ts';
import { writeFileAtomic } from '../io/atomic-write.ts';

export interface WrittenReport {
  html: string;
  markdown: string;
  figures: { id: string; svg: string; png: string }[];
  /** Per-figure warnings (also printed in the report); callers may echo them to the user. */
  warnings: string[];
}

const FIGURE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Catch spec mistakes with a message naming the figure or table, before anything is rendered. */
export function validateReportSpec(spec: ReportSpec): void {
  const seen = new Set<string>();
  for (const f of spec.figures) {
    if (!FIGURE_ID.test(f.id)) throw new Error(`figure id '${f.id}' is not a safe file name (letters, digits, '.', '_', '-'; not starting with '.' or '-')`);
    if (seen.has(f.id)) throw new Error(`figure id '${f.id}' is used twice; each figure needs its own file name`);
    seen.add(f.id);
  }
  const tables = new Set<string>();
  for (const t of spec.tables) {
    if (tables.has(t.id)) throw new Error(`table id '${t.id}' is used twice`);
    tables.add(t.id);
    t.rows.forEach((r, i) => {
      if (r.length !== t.columns.length) throw new Error(`table '${t.id}': row ${i} has ${r.length} cells but there are ${t.columns.length} columns`);
    });
  }
  const claims = new Set<string>();
  for (const c of spec.claims) {
    if (claims.has(c.id)) throw new Error(`claim id '${c.id}' is used twice`);
    claims.add(c.id);
    // null (or a missing observation) is allowed: the claim is reported as 'not evaluated'.
    if (typeof c.pass !== 'boolean' && c.pass !== null) throw new Error(`claim '${c.id}': pass must be true, false or null (not evaluated)`);
  }
}

export async function writeReport(runDir: string, spec: ReportSpec, meta: ReportMeta, opts: RenderOptions = {}): Promise<WrittenReport> {
  validateReportSpec(spec);
  const rendered: (FigureForPage & { png: Uint8Array })[] = [];
  for (const f of spec.figures) {
    const r = await renderFigure(f, opts);
    rendered.push({ id: f.id, title: f.title, caption: f.caption, svg: r.svg, png: r.png, warnings: r.warnings });
  }
  const figures: WrittenReport['figures'] = [];
  for (const f of rendered) {
    const svg = join(runDir, 'figures', `${f.id}.svg`);
    const png = join(runDir, 'figures', `${f.id}.png`);
    writeFileAtomic(svg, f.svg);
    writeFileAtomic(png, f.png);
    figures.push({ id: f.id, svg, png });
  }
  const markdown = join(runDir, 'report.md');
  writeFileAtomic(markdown, renderReportMarkdown(spec, meta, rendered));
  const html = join(runDir, 'report.html');
  writeFileAtomic(html, renderReportHtml(spec, meta, rendered));
  return { html, markdown, figures, warnings: rendered.flatMap((f) => f.warnings) };
}
