/**
 * What every figure helper shares: the options (id, title, size, axis titles, the log-axis policy),
 * field-name escaping, and the log-axis policy applied to the data itself, before vega sees it.
 *
 * Why on the data: a helper knows which fields feed a log axis, so it can name them exactly, count
 * what it drops, and write that count into the figure (a note above the plot, so it travels with
 * the SVG/PNG) and its caption. The renderer's own check (log-scale-check.ts) stays as a backstop
 * for fields vega derives later.
 */
import type { TopLevelSpec } from 'vega-lite';
import { FigureError } from './figure-error.ts';
import type { FigureSpec } from './spec.ts';

/** One row of inline data. */
export type Datum = Readonly<Record<string, string | number | boolean | null | undefined>>;

/** What a log axis does with values ≤ 0: throw (the default), or drop them and say so in the figure. */
export type NonPositivePolicy = 'fail' | 'drop';

export interface ChartBase {
  /** File stem: figures/<id>.svg|png. */
  id: string;
  title: string;
  caption?: string;
  /** Plot size in pixels (default 560 × 300). */
  width?: number;
  height?: number;
  xTitle?: string;
  yTitle?: string;
  /** Values ≤ 0 on a log axis: 'fail' (default) or 'drop' with a visible note. */
  nonPositive?: NonPositivePolicy;
}

export const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/** vega-lite reads '.', '[' and ']' in a field name as nested access; escape them so names are literal. */
export function fieldRef(name: string): string {
  return name.replace(/[.[\]\\]/g, (c) => `\\${c}`);
}

export interface LogField {
  field: string;
  /** The axis (or channel) it is plotted on, for messages: 'x', 'y', 'color'. */
  axis: string;
}

const isBad = (v: unknown): boolean => typeof v === 'number' && v <= 0; // null/NaN are skipped by vega anyway

/**
 * Check the fields that feed log axes. 'fail': throw a FigureError naming the figure, field and
 * count. 'drop': return the rows without those points, and one note per axis saying how many.
 */
export function applyLogPolicy<R extends Datum>(
  figureId: string,
  rows: readonly R[],
  fields: readonly LogField[],
  policy: NonPositivePolicy = 'fail',
): { rows: R[]; notes: string[] } {
  if (fields.length === 0) return { rows: [...rows], notes: [] };
  if (policy === 'fail') {
    for (const { field, axis } of fields) {
      const bad = rows.filter((r) => isBad(r[field]));
      if (bad.length) {
        throw new FigureError(
          figureId,
          `figure '${figureId}': ${bad.length} of ${rows.length} values of field '${field}' are ≤ 0 (e.g. ${bad[0]![field]}) on its log ${axis} axis; a log axis cannot show them: plot a positive quantity or choose nonPositive: 'drop'`,
        );
      }
    }
    return { rows: [...rows], notes: [] };
  }
  const axes = [...new Set(fields.map((f) => f.axis))];
  const dropped = new Map(axes.map((a) => [a, 0]));
  const kept = rows.filter((r) => {
    const badAxes = axes.filter((a) => fields.some((f) => f.axis === a && isBad(r[f.field])));
    for (const a of badAxes) dropped.set(a, dropped.get(a)! + 1);
    return badAxes.length === 0;
  });
  const notes = axes
    .filter((a) => dropped.get(a)! > 0)
    .map((a) => `${dropped.get(a)} non-positive ${dropped.get(a) === 1 ? 'value' : 'values'} dropped from log ${a} axis`);
  return { rows: kept, notes };
}

/** A FigureSpec whose vegaLite is known to be a vega-lite TopLevelSpec (what every helper returns). */
export type ChartFigure = FigureSpec & { vegaLite: TopLevelSpec };

/** The figure: notes become a title line inside the plot (so SVG and PNG carry them) and join the caption. */
export function finishFigure(base: ChartBase, spec: TopLevelSpec, notes: readonly string[]): ChartFigure {
  const withNote: TopLevelSpec = notes.length
    ? { ...spec, title: { text: `Note: ${notes.join('; ')}`, anchor: 'start', fontSize: 11, fontWeight: 'normal', color: '#7d4e00' } }
    : spec;
  const caption = [base.caption, ...notes.map((n) => `Note: ${n}.`)].filter((s): s is string => Boolean(s)).join(' ');
  return {
    id: base.id,
    title: base.title,
    vegaLite: withNote,
    ...(caption ? { caption } : {}),
    nonPositiveLog: base.nonPositive ?? 'fail',
  };
}

/** Refuse a field that no row has: vega would draw an empty plot without a word. */
export function requireFields(figureId: string, rows: readonly Datum[], fields: readonly (string | undefined)[]): void {
  if (rows.length === 0) return;
  for (const f of fields) {
    if (f !== undefined && !rows.some((r) => r[f] !== undefined)) {
      throw new FigureError(figureId, `figure '${figureId}': no row has field '${f}' (fields: ${Object.keys(rows[0]!).join(', ')})`);
    }
  }
}
