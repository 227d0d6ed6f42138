/**
 * The sweep's own report: the aggregate table (mean ± std over seeds per point), the per-cell
 * table (status, error, backend), figures of each metric against each numeric axis with seed
 * bands (log x where the axis is geometric), the experiment's claims across cells, and warnings
 * (failed cells, cells run on another backend or version than the submitter's).
 */
import { lineChart } from '../report/charts.ts';
import { join } from 'node:path';
import { writeFileAtomic } from '../io/atomic-write.ts';
import { writeReport } from '../report/write-report.ts';
import type { FigureSpec, ReportSpec, TableSpec } from '../report/spec.ts';
import type { Experiment } from '../experiments/experiment.ts';
import type { SweepAggregate } from '../experiments/sweep-types.ts';
import { canonicalJson } from './spec.ts';
import type { SweepFile } from './sweep-folder.ts';

/** At most this many figures (metrics × axes), so a wide result does not bury the page. */
const MAX_FIGURES = 8;

/** A numeric axis is drawn on a log scale when its values are geometric (constant ratio) or span ≥ 2 decades. */
export function isGeometric(values: readonly number[]): boolean {
  const v = [...new Set(values)].sort((a, b) => a - b);
  if (v.length < 2 || v[0]! <= 0) return false;
  if (v[v.length - 1]! / v[0]! >= 100) return true;
  if (v.length < 3) return false;
  const r = v[1]! / v[0]!;
  return r >= 1.5 && v.every((x, i) => i === 0 || Math.abs(x / v[i - 1]! / r - 1) < 0.02);
}

/** An axis value as a reader wants it: a string or number as itself, a list of them comma-joined (`strategies=dash`), anything else as JSON. */
export function axisValueText(v: unknown): string | number {
  if (typeof v === 'string' || typeof v === 'number') return v;
  if (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string' || typeof x === 'number')) return v.join(',');
  return canonicalJson(v);
}

/** A point as `k=v k2=v2` over the given axis keys. */
export const pointLabel = (values: Record<string, unknown>, keys: readonly string[]): string => keys.map((k) => `${k}=${axisValueText(values[k])}`).join(' ');

/** Warnings a reader must see: failed cells, and cells whose backend/version differs from the submitter's. */
export function sweepWarnings(sweep: SweepFile): string[] {
  const w: string[] = [];
  const failed = sweep.cells.filter((c) => c.status === 'failed');
  if (failed.length) w.push(`${failed.length} of ${sweep.cells.length} cells failed (see the cells table for their errors)`);
  const pending = sweep.cells.filter((c) => c.status === 'pending' || c.status === 'incomplete');
  if (pending.length) w.push(`${pending.length} of ${sweep.cells.length} cells have not finished`);
  const other = sweep.cells.filter(
    (c) => c.status === 'complete' && c.backend !== undefined && (c.backend !== sweep.submitter.backend || c.trainscope !== sweep.submitter.trainscope),
  );
  if (other.length) {
    const kinds = [...new Set(other.map((c) => `${c.backend} ${c.trainscope}`))].join(', ');
    w.push(
      `${other.length} cells ran on ${kinds}, not the submitter's ${sweep.submitter.backend} ${sweep.submitter.trainscope}: metrics are byte-identical only on the same backend`,
    );
  }
  return w;
}

/** The metric names the experiment wants shown (all by default), in first-seen order. */
function shownMetrics(exp: Experiment<any, any>, agg: SweepAggregate): string[] {
  const all = [...new Set(agg.points.flatMap((p) => Object.keys(p.metrics)))];
  const show = exp.sweep?.showMetric;
  return show ? all.filter((m) => show(m)) : all;
}

function figures(agg: SweepAggregate, metricNames: readonly string[]): FigureSpec[] {
  const out: FigureSpec[] = [];
  for (const axis of agg.axes) {
    const xs = agg.points.map((p) => p.values[axis]);
    if (!xs.every((x) => typeof x === 'number') || new Set(xs).size < 2) continue;
    const others = agg.axes.filter((k) => k !== axis);
    for (const m of metricNames) {
      if (out.length >= MAX_FIGURES) return out;
      const rows = agg.points.flatMap((p) =>
        (p.metrics[m]?.values ?? []).map((y, i) => ({
          [axis]: p.values[axis] as number,
          [m]: y,
          seed: p.seeds[i]!,
          ...(others.length ? { series: pointLabel(p.values, others) } : {}),
        })),
      );
      if (!rows.length) continue;
      const logX = isGeometric(xs as number[]);
      out.push(
        lineChart({
          id: `sweep-${m}-vs-${axis}`.replace(/[^A-Za-z0-9._-]+/g, '_'),
          title: `${m} vs ${axis}`,
          data: rows,
          x: axis,
          y: m,
          series: others.length ? 'series' : undefined,
          logX,
          points: true,
          band: { over: 'seed', kind: 'std' },
          caption: `Mean over seeds with a ±1 std band${logX ? '; log x axis (the axis is geometric)' : ''}.`,
        }),
      );
    }
  }
  return out;
}

function tables(sweep: SweepFile, agg: SweepAggregate, metricNames: readonly string[]): TableSpec[] {
  const aggregate: TableSpec = {
    id: 'aggregate',
    title: 'Aggregate over seeds (mean ± std)',
    columns: [...agg.axes, 'seeds', ...metricNames.flatMap((m) => [`${m} mean`, `${m} std`])],
    rows: agg.points.map((p) => [
      ...agg.axes.map((k) => axisValueText(p.values[k])),
      p.seeds.length,
      ...metricNames.flatMap((m) => (p.metrics[m] ? [p.metrics[m].mean, p.metrics[m].std] : [null, null])),
    ]),
  };
  // Per cell: its own numbers (points list their cells and values in the same order).
  const perCell = new Map<string, Record<string, number>>();
  for (const p of agg.points) {
    p.cells.forEach((id, i) => perCell.set(id, Object.fromEntries(Object.entries(p.metrics).map(([m, st]) => [m, st.values[i]!]))));
  }
  const cells: TableSpec = {
    id: 'cells',
    title: 'Cells',
    columns: ['cell', 'point', 'seed', 'status', ...metricNames, 'backend', 'error'],
    rows: sweep.cells.map((c) => [
      c.id,
      pointLabel(c.values, sweep.axisKeys) || '—',
      c.seed,
      c.status,
      ...metricNames.map((m) => perCell.get(c.id)?.[m] ?? null),
      c.backend ?? null,
      c.error ?? null,
    ]),
  };
  return [aggregate, cells];
}

export function sweepReportSpec(exp: Experiment<any, any>, sweep: SweepFile, agg: SweepAggregate): ReportSpec {
  const done = sweep.cells.filter((c) => c.status === 'complete').length;
  const warnings = sweepWarnings(sweep);
  const summary = [
    `Sweep of **${exp.id}** (preset ${sweep.preset}${sweep.sets.length ? `, ${sweep.sets.join(' ')}` : ''}) over ${sweep.axisKeys.length ? sweep.axisKeys.join(', ') : 'no axes'} × seeds ${sweep.seeds.join(', ')}: ${done} of ${sweep.cells.length} cells complete. Each cell is a run folder under \`cells/<cell-id>/\` with its own report.`,
    ...warnings.map((w) => `**Warning:** ${w}.`),
  ].join('\n\n');
  return {
    title: `${exp.title}: sweep`,
    summary,
    figures: [...(exp.sweep?.figuresAcross?.(agg) ?? []), ...figures(agg, shownMetrics(exp, agg))],
    tables: tables(sweep, agg, shownMetrics(exp, agg)),
    claims: exp.sweep?.claimsAcross?.(agg) ?? [],
  };
}

export async function writeSweepReport(dir: string, exp: Experiment<any, any>, sweep: SweepFile, agg: SweepAggregate): Promise<string[]> {
  const spec = sweepReportSpec(exp, sweep, agg);
  // The claims across cells, machine-readable like a run folder's summary.json (`claims`).
  const count = (status: string): number => sweep.cells.filter((c) => c.status === status).length;
  const summary = {
    experiment: exp.id,
    preset: sweep.preset,
    cells: { total: sweep.cells.length, complete: count('complete'), failed: count('failed') },
    claims: spec.claims,
  };
  writeFileAtomic(join(dir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  const failed = sweep.cells.some((c) => c.status === 'failed');
  const unfinished = sweep.cells.some((c) => c.status !== 'complete' && c.status !== 'failed');
  const written = await writeReport(dir, spec, {
    experiment: exp.id,
    title: spec.title,
    paper: exp.paper,
    preset: sweep.preset,
    seed: sweep.seeds[0]!,
    seeds: sweep.seeds,
    config: { sets: sweep.sets, axes: sweep.axes },
    status: failed ? 'failed' : unfinished ? 'incomplete' : 'complete',
    backend: sweep.submitter.backend,
    trainscope: sweep.submitter.trainscope,
    createdAt: sweep.createdAt,
    cells: sweep.cells.length,
  });
  return [...sweepWarnings(sweep), ...written.warnings];
}
