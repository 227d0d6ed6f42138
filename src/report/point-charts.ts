/**
 * scatterChart (one point per row: e.g. final loss against learning rate, sharpness against
 * batch size) and heatMap (a value over a grid: e.g. accuracy over learning rate × batch size).
 */
import type { TopLevelSpec } from 'vega-lite';
import { applyLogPolicy, fieldRef, finishFigure, requireFields, SCHEMA, type ChartBase, type ChartFigure, type Datum, type LogField } from './chart-base.ts';

export interface ScatterChartOptions extends ChartBase {
  data: readonly Datum[];
  x: string;
  y: string;
  /** Colour by a field: nominal (categories, default) or quantitative (a colour ramp). */
  color?: string;
  colorType?: 'nominal' | 'quantitative';
  logX?: boolean;
  logY?: boolean;
  /** Point size in square pixels (default 40). */
  size?: number;
}

export function scatterChart(o: ScatterChartOptions): ChartFigure {
  requireFields(o.id, o.data, [o.x, o.y, o.color]);
  const logFields: LogField[] = [...(o.logX ? [{ field: o.x, axis: 'x' }] : []), ...(o.logY ? [{ field: o.y, axis: 'y' }] : [])];
  const checked = applyLogPolicy(o.id, o.data, logFields, o.nonPositive);
  const spec: TopLevelSpec = {
    $schema: SCHEMA,
    width: o.width ?? 560,
    height: o.height ?? 300,
    data: { values: checked.rows },
    mark: { type: 'point', filled: true, size: o.size ?? 40 },
    encoding: {
      x: { field: fieldRef(o.x), type: 'quantitative', title: o.xTitle ?? o.x, scale: o.logX ? { type: 'log' } : { zero: false } },
      y: { field: fieldRef(o.y), type: 'quantitative', title: o.yTitle ?? o.y, scale: o.logY ? { type: 'log' } : { zero: false } },
      ...(o.color === undefined ? {} : { color: { field: fieldRef(o.color), type: o.colorType ?? 'nominal', title: o.color } }),
    },
  };
  return finishFigure(o, spec, checked.notes);
}

export interface HeatMapOptions extends ChartBase {
  data: readonly Datum[];
  /** Grid coordinates, shown as ordered categories (e.g. learning rates, batch sizes). */
  x: string;
  y: string;
  /** The value coloured in each cell. */
  value: string;
  /** Colour on a log scale (values ≤ 0 follow `nonPositive`). */
  logColor?: boolean;
  /** A vega colour scheme (default 'viridis'). */
  scheme?: string;
  /** Print each cell's value in it. */
  labels?: boolean;
  valueTitle?: string;
}

export function heatMap(o: HeatMapOptions): ChartFigure {
  requireFields(o.id, o.data, [o.x, o.y, o.value]);
  const checked = applyLogPolicy(o.id, o.data, o.logColor ? [{ field: o.value, axis: 'color' }] : [], o.nonPositive);
  const x = { field: fieldRef(o.x), type: 'ordinal' as const, title: o.xTitle ?? o.x, sort: 'ascending' as const };
  const y = { field: fieldRef(o.y), type: 'ordinal' as const, title: o.yTitle ?? o.y, sort: 'descending' as const };
  const cells = {
    mark: { type: 'rect' as const },
    encoding: {
      x,
      y,
      color: {
        field: fieldRef(o.value),
        type: 'quantitative' as const,
        title: o.valueTitle ?? o.value,
        scale: { scheme: o.scheme ?? 'viridis', ...(o.logColor ? { type: 'log' as const } : {}) },
      },
    },
  };
  const spec: TopLevelSpec = o.labels
    ? {
        $schema: SCHEMA,
        width: o.width ?? 420,
        height: o.height ?? 300,
        data: { values: checked.rows },
        layer: [
          cells,
          {
            mark: { type: 'text', fontSize: 10, color: 'white' },
            encoding: { x, y, text: { field: fieldRef(o.value), type: 'quantitative', format: '.3~g' } },
          },
        ],
      }
    : { $schema: SCHEMA, width: o.width ?? 420, height: o.height ?? 300, data: { values: checked.rows }, ...cells };
  return finishFigure(o, spec, checked.notes);
}
