/**
 * The aggregate of a sweep: per cell, the numbers its experiment reports (its `sweep.metrics`, or
 * by default the numeric top-level fields of the result and of the last metrics record as
 * `final.<key>`), then per point (axis values) mean ± std over seeds.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeTree } from '../train/serialize.ts';
import { readRun, readSummary } from '../experiments/run-folder.ts';
import type { Experiment } from '../experiments/experiment.ts';
import type { AggregatePoint, MetricStats, SweepAggregate } from '../experiments/sweep-types.ts';
import { canonicalJson } from './spec.ts';
import { cellDir, type SweepFile } from './sweep-folder.ts';

function numericFields(o: unknown, prefix = ''): Record<string, number> {
  const out: Record<string, number> = {};
  if (o === null || typeof o !== 'object' || Array.isArray(o)) return out;
  for (const [k, v] of Object.entries(o)) if (typeof v === 'number' && Number.isFinite(v)) out[`${prefix}${k}`] = v;
  return out;
}

function lastRecord(dir: string): unknown {
  const lines = readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trimEnd().split('\n').filter(Boolean);
  return lines.length ? JSON.parse(lines[lines.length - 1]!) : undefined;
}

/** The numbers of one complete cell folder. */
export function cellMetrics(exp: Experiment<any, any>, dir: string): Record<string, number> {
  const { config } = readRun(dir);
  const result = decodeTree(readSummary(dir).result);
  if (exp.sweep?.metrics) return exp.sweep.metrics(result, exp.config.parse(config));
  return { ...numericFields(result), ...numericFields(lastRecord(dir), 'final.') };
}

export function stats(values: readonly number[]): MetricStats {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  // Population std over seeds (as the seed bands in report/): one seed gives 0, not NaN.
  const std = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / n);
  return { mean, std, n, values: [...values] };
}

export function aggregateSweep(exp: Experiment<any, any>, dir: string, sweep: SweepFile): SweepAggregate {
  const points = new Map<string, AggregatePoint & { raw: Record<string, number[]> }>();
  const failed: SweepAggregate['failed'] = [];
  for (const c of sweep.cells) {
    const key = canonicalJson(c.values);
    let p = points.get(key);
    if (!p) points.set(key, (p = { values: c.values, seeds: [], cells: [], metrics: {}, raw: {} }));
    if (c.status !== 'complete') {
      if (c.status === 'failed') failed.push({ cell: c.id, values: c.values, seed: c.seed, error: c.error ?? 'failed' });
      continue;
    }
    p.seeds.push(c.seed);
    p.cells.push(c.id);
    for (const [k, v] of Object.entries(cellMetrics(exp, cellDir(dir, c.id)))) (p.raw[k] ??= []).push(v);
  }
  return {
    experiment: exp.id,
    axes: sweep.axisKeys,
    points: [...points.values()].map(({ raw, ...p }) => ({ ...p, metrics: Object.fromEntries(Object.entries(raw).map(([k, vs]) => [k, stats(vs)])) })),
    failed,
  };
}
