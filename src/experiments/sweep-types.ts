/**
 * The sweep contract as experiments see it: an experiment may declare its own grids (per preset)
 * and turn a finished sweep's aggregate into claims across cells. The sweeps/ layer (above this
 * one) expands, runs and aggregates; only these plain types live here, so experiments/ never
 * imports sweeps/.
 */
import type { Claim, FigureSpec } from '../report/spec.ts';

/**
 * Axes of a sweep. Cells are the product of: every `grid` combination × each `zip` position
 * (all zip lists have one length) × each `list` entry. An absent part contributes one empty point.
 */
export interface SweepAxes {
  grid?: Record<string, readonly unknown[]>;
  zip?: Record<string, readonly unknown[]>;
  list?: readonly Record<string, unknown>[];
}

/** An experiment's own sweep for one preset: its axes and seeds. */
export interface SweepDeclaration {
  axes: SweepAxes;
  seeds: readonly number[];
  /** `key=value` settings every cell of this grid needs (applied before the user's own --set), e.g. `seeds=1` when each cell is one seed of a study. */
  sets?: readonly string[];
}

/** mean ± population std over the seeds of one point, and the per-seed values (seed order). */
export interface MetricStats {
  mean: number;
  std: number;
  n: number;
  values: number[];
}

/** One point of the grid (axis values) with its metrics aggregated over seeds. */
export interface AggregatePoint {
  /** Axis values of the point, e.g. { lr: 0.1, batchSize: 32 }. */
  values: Record<string, unknown>;
  seeds: number[];
  cells: string[];
  metrics: Record<string, MetricStats>;
}

/** What a finished sweep hands back to its experiment (and writes as aggregate.json). */
export interface SweepAggregate {
  experiment: string;
  /** Axis keys, in declaration order. */
  axes: string[];
  points: AggregatePoint[];
  /** Cells that did not complete (failed after their retries), with the error. */
  failed: { cell: string; values: Record<string, unknown>; seed: number; error: string }[];
}

/** The optional sweep part of an experiment (see src/sweeps/README.md). */
export interface ExperimentSweeps<C, R> {
  /** Grids by preset: `trainscope sweep <id> --preset small` with no axes runs `small`'s. */
  readonly presets?: { smoke?: SweepDeclaration; small?: SweepDeclaration; paper?: SweepDeclaration };
  /** Numbers of one finished cell to aggregate (default: the numeric top-level fields of the result and of the last metrics record, as `final.<key>`). */
  metrics?(result: R, cfg: C): Record<string, number>;
  /** Which metrics the sweep report's tables and generic figures show (default: all); e.g. hide per-chunk curves drawn by figuresAcross. */
  showMetric?(name: string): boolean;
  /** Claims across cells, stated from the aggregate (e.g. "the critical batch size grows with …"). */
  claimsAcross?(aggregate: SweepAggregate): Claim[];
  /** Figures across cells (e.g. a fit drawn over the aggregate), shown before the generic metric-vs-axis ones. */
  figuresAcross?(aggregate: SweepAggregate): FigureSpec[];
}
