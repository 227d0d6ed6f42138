/** report/: figures (vega-lite → SVG/PNG), report.html, report.md and the reproduce index page. */
export type { Claim, FigureSpec, TableSpec, ReportSpec } from './spec.ts';
export type { ReportMeta, ReportStatus } from './meta.ts';
export { renderFigure, svgToPng, FigureError } from './figures.ts';
export type { RenderOptions, RenderedFigure, NonPositiveLogPolicy } from './figures.ts';
export { findLogScaleProblems, dropNonPositiveLogValues } from './log-scale-check.ts';
export type { LogScaleProblem } from './log-scale-check.ts';
export { renderReportHtml } from './html.ts';
export { renderReportMarkdown } from './markdown.ts';
export { writeReport, validateReportSpec } from './write-report.ts';
export type { WrittenReport } from './write-report.ts';
export { writeIndex, renderIndexHtml, reportHrefFor } from './index-page.ts';
export type { IndexEntry, IndexOptions } from './index-page.ts';
export { markdownToHtml } from './md-to-html.ts';
export { escapeHtml } from './escape.ts';
export { lineChart, scatterChart, heatMap, histogram, seedBands, bandFields, applyLogPolicy, fieldRef } from './charts.ts';
export type {
  LineChartOptions,
  ScatterChartOptions,
  HeatMapOptions,
  HistogramOptions,
  BandKind,
  ChartBase,
  ChartFigure,
  Datum,
  NonPositivePolicy,
} from './charts.ts';
export { checkClaim, claimStatus, claimCounts, claimCountText, observedText } from './claims.ts';
export type { ClaimStatus, ClaimCounts, ClaimCheck } from './claims.ts';
