/**
 * dash/warm-start as a sweep: one cell per (strategy, seed), so `trainscope sweep dash/warm-start
 * --preset small` runs the study on every core (or on queue workers) and states the same four
 * claims across cells as a whole-study `trainscope run`. A cell is the same computation either way
 * (evaluateCell depends only on the cell's config and seed).
 */
import { lineChart } from '../../report/charts.ts';
import type { Claim, FigureSpec } from '../../report/spec.ts';
import { STRATEGIES, type Strategy } from '../../methods/dash/protocol.ts';
import type { AggregatePoint, ExperimentSweeps, SweepAggregate, SweepDeclaration } from '../sweep-types.ts';
import type { WarmStartResult } from './warm-start.ts';
import { addSamples, mean, CELL_METRICS, summarize, type CellSamples, type StrategySummary } from './strategy-summary.ts';

/**
 * Slowest first, so that on a pool the long cells start early and the short ones fill in around
 * them instead of one long cell running alone at the end: l2-init rarely reaches the threshold and
 * trains to the epoch cap, cold retrains from scratch on every chunk.
 */
const BY_COST: readonly Strategy[] = ['l2-init', 'cold', 'reset-head', 'shrink-perturb', 'dash', 'warm-reset-opt', 'warm'];

/** One cell per strategy (its `strategies` narrowed to it) × run seed, each cell one seed of the study. */
const perStrategy = (seeds: number[]): SweepDeclaration => ({
  axes: { list: BY_COST.map((s) => ({ strategies: [s] })) },
  seeds,
  sets: ['seeds=1'],
});

export const WARM_START_SWEEPS = { smoke: perStrategy([0]), small: perStrategy([0, 1, 2]), paper: perStrategy([0, 1, 2]) };

/**
 * A cell's numbers: the per-strategy totals and, per chunk j, `testAccuracy.chunk<j>` and
 * `steps.chunk<j>` (for the curves across cells). A cell of one strategy (the declared sweeps)
 * gives plain names; a cell running several strategies prefixes each with `<strategy>.`.
 */
export function warmStartMetrics(r: WarmStartResult, labelNoise: number): Record<string, number> {
  const strategies = [...new Set(r.cells.map((c) => c.strategy))];
  // Constant across a sweep unless an axis: carried so the claims can name it.
  const out: Record<string, number> = { labelNoise };
  for (const s of strategies) {
    const prefix = strategies.length === 1 ? '' : `${s}.`;
    const cells = r.cells.filter((c) => c.strategy === s);
    out[`${prefix}meanTestAccuracy`] = mean(cells.map((c) => c.meanTestAccuracy));
    out[`${prefix}finalTestAccuracy`] = mean(cells.map((c) => c.finalTestAccuracy));
    out[`${prefix}totalSteps`] = mean(cells.map((c) => c.totalSteps));
    out[`${prefix}totalExtraPasses`] = mean(cells.map((c) => c.totalExtraPasses));
    out[`${prefix}chunksCapped`] = mean(cells.map((c) => c.capped.length));
    const rows = r.rows.filter((x) => x.strategy === s);
    for (const chunk of new Set(rows.map((x) => x.chunk))) {
      const at = rows.filter((x) => x.chunk === chunk);
      out[`${prefix}testAccuracy.chunk${chunk}`] = mean(at.map((x) => x.testAccuracy));
      out[`${prefix}steps.chunk${chunk}`] = mean(at.map((x) => x.steps));
    }
  }
  return out;
}

/** Which strategies a point's metrics belong to: its own single strategy (plain names) or the prefixed ones. */
function strategiesOf(p: AggregatePoint): { strategy: Strategy; prefix: string }[] {
  const own = p.values['strategies'];
  if (Array.isArray(own) && own.length === 1 && 'meanTestAccuracy' in p.metrics) return [{ strategy: own[0] as Strategy, prefix: '' }];
  return STRATEGIES.filter((s) => `${s}.meanTestAccuracy` in p.metrics).map((s) => ({ strategy: s, prefix: `${s}.` }));
}

/** The points that differ only in strategy, by the values of every other axis. */
function groups(agg: SweepAggregate): { label: string; points: AggregatePoint[] }[] {
  const others = (p: AggregatePoint): string =>
    Object.entries(p.values)
      .filter(([k]) => k !== 'strategies' && k !== 'seeds')
      .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
      .join(' ');
  const out = new Map<string, AggregatePoint[]>();
  for (const p of agg.points) out.set(others(p), [...(out.get(others(p)) ?? []), p]);
  return [...out].map(([label, points]) => ({ label, points }));
}

/** Per strategy: means over seeds (a point's metric mean is already the mean over its seeds). */
export function strategySummary(points: readonly AggregatePoint[]): StrategySummary {
  const acc = new Map<Strategy, CellSamples>();
  for (const p of points) {
    for (const { strategy, prefix } of strategiesOf(p)) {
      addSamples(acc, strategy, Object.fromEntries(CELL_METRICS.map((m) => [m, p.metrics[`${prefix}${m}`]?.values ?? []])));
    }
  }
  return summarize(acc);
}

/** Claims per group of points that differ only in strategy (one group for the declared sweeps). */
function claimsAcross(agg: SweepAggregate, claims: (s: StrategySummary, labelNoise: number) => Claim[]): Claim[] {
  const gs = groups(agg);
  return gs.flatMap(({ label, points }) => {
    const noise = points.find((p) => p.metrics['labelNoise'])?.metrics['labelNoise']?.mean ?? 0;
    const cs = claims(strategySummary(points), noise);
    return gs.length === 1 ? cs : cs.map((c) => ({ ...c, id: `${c.id} (${label})`, statement: `${c.statement} — at ${label}` }));
  });
}

/** Test accuracy and SGD steps per chunk, one curve per strategy, with a ±1 std band over seeds. */
function figuresAcross(agg: SweepAggregate): FigureSpec[] {
  const rows = (metric: 'testAccuracy' | 'steps'): Record<string, number | string>[] =>
    groups(agg).length !== 1
      ? []
      : agg.points.flatMap((p) =>
          strategiesOf(p).flatMap(({ strategy, prefix }) =>
            Object.entries(p.metrics)
              .filter(([k]) => k.startsWith(`${prefix}${metric}.chunk`))
              .flatMap(([k, st]) =>
                st.values.map((v, i) => ({ chunk: Number(k.slice(`${prefix}${metric}.chunk`.length)), [metric]: v, seed: p.seeds[i]!, strategy })),
              ),
          ),
        );
  const figure = (metric: 'testAccuracy' | 'steps', title: string): FigureSpec[] => {
    const data = rows(metric);
    return data.length
      ? [
          lineChart({
            id: `sweep-${metric}-per-chunk`,
            title,
            x: 'chunk',
            y: metric,
            series: 'strategy',
            points: true,
            band: { over: 'seed', kind: 'std' },
            data,
            caption: 'Mean over seeds with a ±1 std band.',
          }),
        ]
      : [];
  };
  return [...figure('testAccuracy', 'Test accuracy after each chunk'), ...figure('steps', 'SGD steps per chunk')];
}

export function warmStartSweeps(claims: (s: StrategySummary, labelNoise: number) => Claim[]): ExperimentSweeps<{ labelNoise: number }, WarmStartResult> {
  return {
    presets: WARM_START_SWEEPS,
    metrics: (r, cfg) => warmStartMetrics(r, cfg.labelNoise),
    showMetric: (name) => !name.includes('.chunk') && name !== 'labelNoise',
    claimsAcross: (agg) => claimsAcross(agg, claims),
    figuresAcross,
  };
}
