/**
 * lineChart: curves over steps (loss, accuracy, sharpness…), one per series, with optional log
 * axes and seed bands (a mean line over seeds with a shaded min–max or ±std band).
 */
import type { TopLevelSpec } from 'vega-lite';
import { applyLogPolicy, fieldRef, finishFigure, requireFields, SCHEMA, type ChartBase, type ChartFigure, type Datum, type LogField } from './chart-base.ts';
import { bandFields, seedBands, type BandKind } from './seed-bands.ts';

export interface LineChartOptions extends ChartBase {
  data: readonly Datum[];
  x: string;
  y: string;
  /** Field giving one curve (and one colour) per value, e.g. 'optimizer'. */
  series?: string;
  logX?: boolean;
  logY?: boolean;
  /** Mark every data point too. */
  points?: boolean;
  /**
   * A band around each curve: `{ over: 'seed', kind }` aggregates the rows over seeds here (the
   * line is the mean; kind 'minmax' (default) or 'std'); `{ lower, upper }` takes band edges that
   * are already fields of the rows.
   */
  band?: { over: string; kind?: BandKind } | { lower: string; upper: string };
}

export function lineChart(o: LineChartOptions): ChartFigure {
  requireFields(o.id, o.data, [o.x, o.y, o.series, ...(o.band && 'lower' in o.band ? [o.band.lower, o.band.upper] : [])]);
  let rows: Datum[] = [...o.data];
  let lower: string | undefined;
  let upper: string | undefined;
  if (o.band && 'over' in o.band) {
    rows = seedBands(o.data, { x: o.x, y: o.y, over: o.band.over, series: o.series, kind: o.band.kind });
    ({ lower, upper } = bandFields(o.y));
  } else if (o.band) {
    ({ lower, upper } = o.band);
  }
  const logFields: LogField[] = [
    ...(o.logX ? [{ field: o.x, axis: 'x' }] : []),
    ...(o.logY ? [o.y, lower, upper].filter((f): f is string => f !== undefined).map((field) => ({ field, axis: 'y' })) : []),
  ];
  const checked = applyLogPolicy(o.id, rows, logFields, o.nonPositive);
  const xScale = o.logX ? { type: 'log' as const } : { zero: false };
  const yScale = o.logY ? { type: 'log' as const } : { zero: false };
  const color = o.series === undefined ? undefined : { field: fieldRef(o.series), type: 'nominal' as const, title: o.series };
  const x = { field: fieldRef(o.x), type: 'quantitative' as const, title: o.xTitle ?? o.x, scale: xScale };
  const line = {
    mark: { type: 'line' as const, point: o.points ?? false },
    encoding: {
      x,
      y: { field: fieldRef(o.y), type: 'quantitative' as const, title: o.yTitle ?? (lower ? `${o.y} (mean)` : o.y), scale: yScale },
      ...(color ? { color } : {}),
    },
  };
  const spec: TopLevelSpec =
    lower && upper
      ? {
          $schema: SCHEMA,
          width: o.width ?? 560,
          height: o.height ?? 300,
          data: { values: checked.rows },
          layer: [
            {
              mark: { type: 'area', opacity: 0.2 },
              encoding: { x, y: { field: fieldRef(lower), type: 'quantitative', scale: yScale }, y2: { field: fieldRef(upper) }, ...(color ? { color } : {}) },
            },
            line,
          ],
        }
      : { $schema: SCHEMA, width: o.width ?? 560, height: o.height ?? 300, data: { values: checked.rows }, ...line };
  return finishFigure(o, spec, checked.notes);
}
