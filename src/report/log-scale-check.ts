/**
 * A vega log scale given a value ≤ 0 does not fail: its domain becomes [0, …], log(0) = -∞, and
 * the plot silently comes out blank or flat. So after the dataflow has run (transforms such as
 * windows and aggregates included) every log scale's input data is checked here, and each bad
 * field is reported by name with a count and an example.
 *
 * Works on the compiled *vega* spec and a running View, not on the vega-lite spec, because the
 * plotted field is often derived (e.g. a smoothed loss from a window transform).
 */
import type { View } from 'vega';
import { field as vegaField } from 'vega';

export interface LogScaleProblem {
  scale: string;
  /** The dataset and field the scale reads, as named in the compiled vega spec. */
  data?: string;
  field?: string;
  /** How many values are ≤ 0 (or -Infinity), out of how many finite-or-infinite numbers. */
  bad: number;
  total: number;
  example?: number;
  /** Set when only the scale's resulting domain could be checked (data not reachable). */
  domain?: unknown[];
}

interface VegaScaleSpec {
  name: string;
  type?: string;
  domain?: unknown;
}

/** Every scale declared in a compiled vega spec, including those inside group marks. */
export function collectScales(spec: unknown): VegaScaleSpec[] {
  const out: VegaScaleSpec[] = [];
  const visit = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    const n = node as { scales?: unknown; marks?: unknown };
    if (Array.isArray(n.scales))
      for (const s of n.scales) if (s && typeof s === 'object' && typeof (s as VegaScaleSpec).name === 'string') out.push(s as VegaScaleSpec);
    if (Array.isArray(n.marks)) for (const m of n.marks) visit(m);
  };
  visit(spec);
  return out;
}

/** The (data, field) pairs a scale domain reads: `{data, field}`, `{data, fields}`, `{fields: [{data, field}]}`. */
function domainRefs(domain: unknown): { data: string; field: string }[] {
  if (!domain || typeof domain !== 'object' || Array.isArray(domain)) return [];
  const d = domain as { data?: unknown; field?: unknown; fields?: unknown };
  const refs: { data: string; field: string }[] = [];
  if (typeof d.data === 'string' && typeof d.field === 'string') refs.push({ data: d.data, field: d.field });
  if (Array.isArray(d.fields)) {
    for (const f of d.fields) {
      if (typeof f === 'string' && typeof d.data === 'string') refs.push({ data: d.data, field: f });
      else if (f && typeof f === 'object') refs.push(...domainRefs(f));
    }
  }
  return refs;
}

const isBadLogValue = (v: number): boolean => v <= 0; // -Infinity included; NaN is filtered by vega-lite

function toNumber(v: unknown): number | null {
  if (typeof v === 'number') return v;
  if (v instanceof Date) return v.getTime();
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v);
    return Number.isNaN(n) ? null : n;
  }
  return null;
}

/** Check every log scale of a compiled spec against the data in a View that has already run. */
export function findLogScaleProblems(vegaSpec: unknown, view: View): LogScaleProblem[] {
  const problems: LogScaleProblem[] = [];
  for (const scale of collectScales(vegaSpec)) {
    if (scale.type !== 'log') continue;
    if (Array.isArray(scale.domain)) {
      const nums = scale.domain.map(toNumber).filter((v): v is number => v !== null);
      const bad = nums.filter(isBadLogValue);
      if (bad.length) problems.push({ scale: scale.name, bad: bad.length, total: nums.length, example: bad[0], domain: scale.domain });
      continue;
    }
    let checked = false;
    for (const ref of domainRefs(scale.domain)) {
      let rows: unknown[];
      try {
        rows = view.data(ref.data) as unknown[];
      } catch {
        continue; // a dataset local to a facet or group: not reachable from the View; see the domain check below
      }
      checked = true;
      const get = vegaField(ref.field);
      let bad = 0;
      let total = 0;
      let example: number | undefined;
      for (const row of rows) {
        const v = toNumber(get(row as object));
        if (v === null || Number.isNaN(v)) continue;
        total++;
        if (isBadLogValue(v)) {
          bad++;
          example ??= v;
        }
      }
      if (bad) problems.push({ scale: scale.name, data: ref.data, field: ref.field, bad, total, example });
    }
    if (!checked) {
      // Backstop: the computed domain of a top-level scale shows the problem even when its data is hidden.
      let domain: unknown[] | undefined;
      try {
        domain = (view.scale(scale.name) as { domain(): unknown[] } | undefined)?.domain();
      } catch {
        domain = undefined;
      }
      const nums = (domain ?? []).map(toNumber).filter((v): v is number => v !== null);
      const bad = nums.filter(isBadLogValue);
      if (bad.length) problems.push({ scale: scale.name, bad: bad.length, total: nums.length, example: bad[0], domain });
    }
  }
  return problems;
}

/** One line per problem, naming the figure, scale and field. */
export function describeLogScaleProblem(figureId: string, p: LogScaleProblem): string {
  if (p.field !== undefined) {
    return `figure '${figureId}': ${p.bad} of ${p.total} values of field '${p.field}' are ≤ 0 (e.g. ${p.example}) on log scale '${p.scale}'`;
  }
  return `figure '${figureId}': log scale '${p.scale}' has a non-positive domain [${(p.domain ?? []).join(', ')}]`;
}

/**
 * Vega-lite transforms that drop non-positive values of each log-scaled field of a unit spec; used
 * by the 'drop' policy. Appended after the unit's own transforms, so derived fields are covered.
 */
export function dropNonPositiveLogValues(spec: Record<string, unknown>): Record<string, unknown> {
  const LOG_CHANNELS = ['x', 'y', 'x2', 'y2', 'theta', 'radius', 'size', 'color', 'opacity'];
  const visit = (node: unknown, inheritedEncoding: Record<string, unknown>): unknown => {
    if (!node || typeof node !== 'object' || Array.isArray(node)) return node;
    const n = { ...(node as Record<string, unknown>) };
    const encoding = { ...inheritedEncoding, ...((n.encoding as Record<string, unknown>) ?? {}) };
    if ('mark' in n) {
      const fields = new Set<string>();
      for (const ch of LOG_CHANNELS) {
        const def = encoding[ch] as { field?: unknown; scale?: { type?: unknown }; aggregate?: unknown } | undefined;
        if (def && typeof def.field === 'string' && def.scale?.type === 'log') fields.add(def.field);
      }
      if (fields.size) {
        const filters = [...fields].map((f) => ({ filter: `!isValid(datum[${JSON.stringify(f)}]) || datum[${JSON.stringify(f)}] > 0` }));
        n.transform = [...((n.transform as unknown[]) ?? []), ...filters];
      }
    }
    for (const key of ['layer', 'concat', 'hconcat', 'vconcat']) {
      if (Array.isArray(n[key])) n[key] = (n[key] as unknown[]).map((c) => visit(c, key === 'layer' ? encoding : {}));
    }
    if (n.spec && typeof n.spec === 'object') n.spec = visit(n.spec, {});
    return n;
  };
  return visit(spec, {}) as Record<string, unknown>;
}
