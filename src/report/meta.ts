/**
 * What a report says about the run besides the experiment's own ReportSpec. The shape is the run's
 * manifest.json plus its parsed config, so a caller can pass `{ ...manifest, config }`; unknown
 * manifest fields are kept and listed too.
 */
import { claimCounts } from './claims.ts';
import type { Claim } from './spec.ts';

/** 'interrupted': left 'running' by a process that is gone (shown so, never stored). */
export type ReportStatus = 'complete' | 'incomplete' | 'running' | 'interrupted' | 'failed';

export interface ReportMeta {
  /** Experiment id, e.g. 'baselines/mnist-mlp'. */
  experiment: string;
  title: string;
  /** Paper citation. */
  paper: string;
  preset: string;
  seed: number;
  config: Record<string, unknown>;
  status: ReportStatus;
  gitSha?: string;
  node?: string;
  backend?: string;
  dtype?: string;
  createdAt?: string;
  finishedAt?: string;
  wallSec?: number;
  configHash?: string;
  trainscope?: string;
  [field: string]: unknown;
}

/** Manifest fields in the order a reader wants them; any others follow alphabetically. */
const RUN_FIELDS: [key: string, label: string][] = [
  ['experiment', 'experiment'],
  ['preset', 'preset'],
  ['seed', 'seed'],
  ['status', 'status'],
  ['gitSha', 'git SHA'],
  ['trainscope', 'trainscope'],
  ['node', 'Node'],
  ['backend', 'backend'],
  ['dtype', 'dtype'],
  ['configHash', 'config hash'],
  ['createdAt', 'created'],
  ['finishedAt', 'finished'],
  ['wallSec', 'wall time (s)'],
];
const NOT_RUN_INFO = new Set(['title', 'paper', 'config']);

/** [label, value] rows for the run-information table, skipping absent fields. */
export function runInfoRows(meta: ReportMeta): [string, string][] {
  const rows: [string, string][] = [];
  const known = new Set(RUN_FIELDS.map(([k]) => k));
  for (const [key, label] of RUN_FIELDS) if (meta[key] !== undefined && meta[key] !== null) rows.push([label, formatValue(meta[key])]);
  for (const key of Object.keys(meta).sort()) {
    if (known.has(key) || NOT_RUN_INFO.has(key) || meta[key] === undefined || meta[key] === null) continue;
    rows.push([key, formatValue(meta[key])]);
  }
  return rows;
}

function formatValue(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** A table cell: integers as they are, other numbers to 6 significant digits, null as a dash. */
export function formatCell(v: string | number | null): string {
  if (v === null) return '—';
  if (typeof v === 'string') return v;
  if (Number.isInteger(v) || !Number.isFinite(v)) return String(v);
  return String(Number(v.toPrecision(6)));
}

/** Passed claims out of those that could be evaluated; 'not evaluated' ones are counted apart (claims.ts). */
export function passCount(claims: readonly Claim[]): { passed: number; total: number; notEvaluated: number } {
  const c = claimCounts(claims);
  return { passed: c.passed, total: c.evaluated, notEvaluated: c.notEvaluated };
}
