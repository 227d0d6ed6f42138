/**
 * Seed bands: many runs (one per seed) of the same curve → one mean curve with a band, either the
 * min–max envelope over seeds or mean ± one standard deviation (population std over the seeds,
 * so a single seed gives a zero-width band rather than NaN). Computed here, not in vega, so a log
 * axis can be checked on the band's own edges.
 */
import type { Datum } from './chart-base.ts';

export type BandKind = 'minmax' | 'std';

export interface SeedBandOptions {
  x: string;
  y: string;
  /** The field that tells runs apart (e.g. 'seed'); rows are aggregated over it. */
  over: string;
  /** Curves drawn separately (e.g. 'optimizer'); optional. */
  series?: string;
  kind?: BandKind;
}

/** Field names of the aggregated rows: the mean keeps `y`'s name; the band edges and count get suffixes. */
export const bandFields = (y: string): { lower: string; upper: string; count: string } => ({ lower: `${y}_lower`, upper: `${y}_upper`, count: `${y}_seeds` });

/** One row per (series, x): the mean of y over `over`, the band edges and how many seeds had a value. */
export function seedBands(rows: readonly Datum[], o: SeedBandOptions): Record<string, string | number>[] {
  const kind = o.kind ?? 'minmax';
  const f = bandFields(o.y);
  const groups = new Map<string, { series: string | number | boolean | null | undefined; x: number | string; ys: number[] }>();
  for (const r of rows) {
    const x = r[o.x];
    const y = r[o.y];
    if ((typeof x !== 'number' && typeof x !== 'string') || typeof y !== 'number' || Number.isNaN(y)) continue;
    const s = o.series === undefined ? undefined : r[o.series];
    const k = JSON.stringify([s ?? null, x]);
    let g = groups.get(k);
    if (!g) groups.set(k, (g = { series: s, x, ys: [] }));
    g.ys.push(y);
  }
  const out: Record<string, string | number>[] = [];
  for (const g of groups.values()) {
    const n = g.ys.length;
    const mean = g.ys.reduce((a, b) => a + b, 0) / n;
    let lower: number;
    let upper: number;
    if (kind === 'minmax') {
      lower = Math.min(...g.ys);
      upper = Math.max(...g.ys);
    } else {
      const std = Math.sqrt(g.ys.reduce((a, y) => a + (y - mean) ** 2, 0) / n);
      lower = mean - std;
      upper = mean + std;
    }
    const row: Record<string, string | number> = { [o.x]: g.x, [o.y]: mean, [f.lower]: lower, [f.upper]: upper, [f.count]: n };
    if (o.series !== undefined && g.series !== undefined && g.series !== null) row[o.series] = typeof g.series === 'boolean' ? String(g.series) : g.series;
    out.push(row);
  }
  // Sorted by series then x, so the file (and the SVG) does not depend on the input's row order.
  const key = (r: Record<string, string | number>): [string, string | number] => [String(o.series === undefined ? '' : (r[o.series] ?? '')), r[o.x]!];
  return out.sort((a, b) => {
    const [sa, xa] = key(a);
    const [sb, xb] = key(b);
    if (sa !== sb) return sa < sb ? -1 : 1;
    return typeof xa === 'number' && typeof xb === 'number' ? xa - xb : String(xa) < String(xb) ? -1 : String(xa) > String(xb) ? 1 : 0;
  });
}
