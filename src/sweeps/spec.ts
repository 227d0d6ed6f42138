/**
 * A sweep: one experiment, a base config (preset + `--set`), axes and seeds, expanded to cells.
 * A cell's id is a hash of its experiment, full resolved config and seed, so the same cell gets
 * the same folder whatever order, axes or sweep produced it (and re-running finds it done).
 */
import { createHash } from 'node:crypto';
import { allowedKeys, resolveConfig, unknownKeyError } from '../experiments/config.ts';
import type { Experiment, PresetName } from '../experiments/experiment.ts';
import type { SweepAxes } from '../experiments/sweep-types.ts';

export interface SweepSpec {
  experiment: string;
  preset: PresetName;
  /** Base `--set key=value` assignments, applied before the axes. */
  sets: readonly string[];
  axes: SweepAxes;
  seeds: readonly number[];
}

export interface Cell {
  id: string;
  /** The cell's axis values (what tells it apart from the other points). */
  values: Record<string, unknown>;
  seed: number;
  config: Record<string, unknown>;
}

/** JSON with object keys sorted, so a hash does not depend on key order. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

export function cellId(experiment: string, config: Record<string, unknown>, seed: number): string {
  return createHash('sha256').update(canonicalJson({ experiment, config, seed })).digest('hex').slice(0, 12);
}

/** Axis keys in declaration order (grid, then zip, then list entries). */
export function axisKeys(axes: SweepAxes): string[] {
  const keys = [...Object.keys(axes.grid ?? {}), ...Object.keys(axes.zip ?? {})];
  for (const e of axes.list ?? []) for (const k of Object.keys(e)) if (!keys.includes(k)) keys.push(k);
  return keys;
}

/** The points (axis-value records) of the axes, before seeds: grid product × zip × list. */
export function expandPoints(axes: SweepAxes): Record<string, unknown>[] {
  let points: Record<string, unknown>[] = [{}];
  for (const [k, vs] of Object.entries(axes.grid ?? {})) {
    if (!Array.isArray(vs) || vs.length === 0) throw new Error(`sweep axis '${k}': a grid axis needs a non-empty list of values`);
    points = points.flatMap((p) => vs.map((v) => ({ ...p, [k]: v })));
  }
  const zip = Object.entries(axes.zip ?? {});
  if (zip.length) {
    const n = zip[0]![1].length;
    for (const [k, vs] of zip) {
      if (!Array.isArray(vs) || vs.length === 0) throw new Error(`sweep axis '${k}': a zip axis needs a non-empty list of values`);
      if (vs.length !== n) throw new Error(`sweep zip axes must have one length: '${zip[0]![0]}' has ${n} values, '${k}' has ${vs.length}`);
    }
    points = points.flatMap((p) => Array.from({ length: n }, (_, i) => ({ ...p, ...Object.fromEntries(zip.map(([k, vs]) => [k, vs[i]])) })));
  }
  if (axes.list) {
    if (axes.list.length === 0) throw new Error('sweep list: needs at least one entry');
    points = points.flatMap((p) => axes.list!.map((e) => ({ ...p, ...e })));
  }
  return points;
}

/**
 * Every cell of the sweep, points outer and seeds inner, each config resolved and validated like
 * `trainscope run` would (schema defaults ← preset ← --set ← axis values). An axis key the schema
 * lacks fails with the same hint as `--set`.
 */
export function expandSweep(exp: Experiment<any, any>, spec: SweepSpec): Cell[] {
  if (spec.seeds.length === 0) throw new Error('a sweep needs at least one seed');
  for (const s of spec.seeds) if (!Number.isSafeInteger(s) || s < 0) throw new Error(`sweep seeds must be non-negative integers, got ${JSON.stringify(s)}`);
  const allowed = new Set(allowedKeys(exp));
  for (const k of axisKeys(spec.axes)) if (!allowed.has(k)) throw unknownKeyError(exp, k, 'sweep axis');
  // Validate the base config once, so its errors name --set rather than a cell.
  resolveConfig(exp, { preset: spec.preset, sets: spec.sets });
  const cells: Cell[] = [];
  const seen = new Set<string>();
  for (const values of expandPoints(spec.axes)) {
    const sets = [...spec.sets, ...Object.entries(values).map(([k, v]) => `${k}=${JSON.stringify(v)}`)];
    let config: Record<string, unknown>;
    try {
      config = resolveConfig(exp, { preset: spec.preset, sets });
    } catch (e) {
      throw new Error(`sweep point ${canonicalJson(values)}: ${(e as Error).message}`);
    }
    for (const seed of spec.seeds) {
      const id = cellId(exp.id, config, seed);
      if (seen.has(id)) throw new Error(`sweep point ${canonicalJson(values)} seed ${seed} repeats another cell (same config and seed)`);
      seen.add(id);
      cells.push({ id, values, seed, config });
    }
  }
  return cells;
}

/** A short, stable name for the sweep's folder: its experiment and a hash of what it runs. */
export function sweepName(spec: SweepSpec): string {
  const hash = createHash('sha256')
    .update(canonicalJson({ e: spec.experiment, p: spec.preset, s: spec.sets, a: spec.axes, seeds: spec.seeds }))
    .digest('hex')
    .slice(0, 8);
  return `sweep-${spec.experiment.replace(/[^A-Za-z0-9._-]+/g, '-')}-${hash}`;
}
