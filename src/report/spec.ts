/**
 * What an experiment hands to the report writer: figures (vega-lite specs with inline data),
 * tables and claims. Plain data, so a report can be re-rendered from summary.json later.
 */
import type { TopLevelSpec } from 'vega-lite';

/**
 * A paper's claim turned into a check, reported honestly whether it passes or fails. A claim
 * whose inputs are missing (observed undefined, null or NaN, or pass null) is reported as
 * 'not evaluated', never dropped: see claimStatus and checkClaim in claims.ts.
 */
export interface Claim {
  id: string;
  statement: string;
  expected: string;
  /** What this run measured; undefined, null or NaN when it could not be measured. */
  observed?: string | number | null;
  /** null when the claim could not be evaluated. */
  pass: boolean | null;
}

export interface FigureSpec {
  /** File stem: figures/<id>.svg and figures/<id>.png. */
  id: string;
  title: string;
  /**
   * A vega-lite spec with its data inline (`data: { values: [...] }`): vega-lite's own
   * `TopLevelSpec` (what the helpers in charts.ts build, checked by the compiler) or a plain object.
   */
  vegaLite: TopLevelSpec | Record<string, unknown>;
  caption?: string;
  /**
   * What a log axis does with values ≤ 0 in this figure: 'fail' (throw, naming the figure, field
   * and count) or 'drop' (filter them out, with a note). Overrides the renderer's default.
   */
  nonPositiveLog?: 'fail' | 'drop';
}

export interface TableSpec {
  id: string;
  title: string;
  columns: string[];
  rows: (string | number | null)[][];
}

export interface ReportSpec {
  title: string;
  /** One or two paragraphs of Markdown: what was run and what it shows. */
  summary: string;
  figures: FigureSpec[];
  tables: TableSpec[];
  claims: Claim[];
}
