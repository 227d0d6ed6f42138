/**
 * What an experiment hands to the report writer: figures (vega-lite specs with inline data),
 * tables and claims. Plain data, so a report can be re-rendered from summary.json later.
 */

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
  /** A vega-lite spec with its data inline (`data: { values: [...] }`). */
  vegaLite: Record<string, unknown>;
  caption?: string;
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
