/** Typed figure helpers: each returns a FigureSpec whose vegaLite is vega-lite's own TopLevelSpec. */
export { lineChart, type LineChartOptions } from './line-chart.ts';
export { scatterChart, heatMap, type ScatterChartOptions, type HeatMapOptions } from './point-charts.ts';
export { histogram, type HistogramOptions } from './histogram-chart.ts';
export { seedBands, bandFields, type BandKind, type SeedBandOptions } from './seed-bands.ts';
export { applyLogPolicy, fieldRef, type ChartBase, type ChartFigure, type Datum, type NonPositivePolicy } from './chart-base.ts';
