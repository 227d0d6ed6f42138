/**
 * histogram: the distribution of many values (eigenvalues, weights, per-example losses), one
 * colour per series. Bins are computed here, not by vega, so they can be log-spaced for a log x
 * axis (a heavy-tailed spectrum) and the counts are exact and deterministic.
 */
import type { TopLevelSpec } from 'vega-lite';
import { applyLogPolicy, finishFigure, SCHEMA, type ChartBase, type ChartFigure, type Datum } from './chart-base.ts';
import { FigureError } from './figure-error.ts';

export interface HistogramOptions extends ChartBase {
  /** The values, or rows with `field` (and `series`). */
  data: readonly number[] | readonly Datum[];
  field?: string;
  series?: string;
  /** Number of bins (default 30), equal-width, or equal in log10 when `logX`. */
  bins?: number;
  logX?: boolean;
  /** Counts on a log axis (empty bins are not drawn either way). */
  logY?: boolean;
}

interface Bin {
  series: string;
  start: number;
  end: number;
  count: number;
}

export function histogram(o: HistogramOptions): ChartFigure {
  const field = o.field ?? 'value';
  const nBins = o.bins ?? 30;
  if (!Number.isInteger(nBins) || nBins < 1) throw new FigureError(o.id, `figure '${o.id}': bins must be a positive integer, got ${nBins}`);
  const rows: Datum[] = o.data.map((d) => (typeof d === 'number' ? { [field]: d } : d));
  const finite = rows.filter((r) => typeof r[field] === 'number' && Number.isFinite(r[field]));
  const checked = applyLogPolicy(o.id, finite, o.logX ? [{ field, axis: 'x' }] : [], o.nonPositive);
  const values = checked.rows.map((r) => r[field] as number);
  const bins: Bin[] = [];
  if (values.length) {
    const t = o.logX ? Math.log10 : (v: number) => v;
    const inv = o.logX ? (v: number) => 10 ** v : (v: number) => v;
    let lo = Math.min(...values.map(t));
    let hi = Math.max(...values.map(t));
    if (lo === hi) {
      lo -= 0.5;
      hi += 0.5;
    }
    const width = (hi - lo) / nBins;
    const counts = new Map<string, number[]>();
    for (const r of checked.rows) {
      const s = o.series === undefined ? '' : String(r[o.series] ?? '');
      const k = Math.min(nBins - 1, Math.floor((t(r[field] as number) - lo) / width));
      let c = counts.get(s);
      if (!c) counts.set(s, (c = new Array<number>(nBins).fill(0)));
      c[k]!++;
    }
    for (const s of [...counts.keys()].sort()) {
      counts.get(s)!.forEach((count, k) => {
        if (count > 0) bins.push({ series: s, start: inv(lo + k * width), end: inv(lo + (k + 1) * width), count });
      });
    }
  }
  const height = o.height ?? 300;
  const spec: TopLevelSpec = {
    $schema: SCHEMA,
    width: o.width ?? 560,
    height,
    data: { values: bins.map((b) => ({ ...b })) },
    mark: { type: 'bar', ...(o.series === undefined ? {} : { opacity: 0.6 }) },
    encoding: {
      x: { field: 'start', type: 'quantitative', title: o.xTitle ?? field, scale: o.logX ? { type: 'log' } : { zero: false } },
      x2: { field: 'end' },
      y: { field: 'count', type: 'quantitative', title: o.yTitle ?? 'count', stack: null, scale: o.logY ? { type: 'log', domainMin: 0.5 } : { zero: true } },
      // Bars grow from the plot's bottom edge (a log axis has no zero; series overlap, unstacked);
      // on a log axis the domain starts below 1 so a bin holding one value still has a height.
      y2: { value: height },
      ...(o.series === undefined ? {} : { color: { field: 'series', type: 'nominal', title: o.series } }),
    },
  };
  return finishFigure(o, spec, checked.notes);
}
