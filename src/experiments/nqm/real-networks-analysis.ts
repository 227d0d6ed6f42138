/**
 * The across-cells half of nqm/real-networks: steps to target per (optimizer, B) as the fewest
 * over the LR grid, B_crit per optimizer by `fitCriticalBatch`, the NQM's prediction under a
 * stated mapping, the claim and the figures. Pure functions of the sweep aggregate.
 */
import { lineChart } from '../../report/charts.ts';
import { checkClaim } from '../../report/claims.ts';
import type { Claim, FigureSpec } from '../../report/spec.ts';
import type { SweepAggregate, SweepDeclaration } from '../sweep-types.ts';
import { fitCriticalBatch, type CriticalBatchFit } from '../../methods/nqm/critical-batch.ts';
import { tune, type StepsRow } from '../../methods/nqm/tune.ts';
import { logspace, powersOfTwo } from '../../methods/nqm/grids.ts';
import { makeNqm } from '../../methods/nqm/problem.ts';
import type { Method } from '../../methods/nqm/dynamics.ts';

type Opt = 'sgd' | 'momentum' | 'adam' | 'kfac';
const ORDER: readonly Opt[] = ['sgd', 'momentum', 'adam', 'kfac'];

/** Per-optimizer LR grids (half-decade steps), each chosen to bracket that optimizer's usual range. */
const LRS: Record<Opt, number[]> = {
  sgd: [0.03, 0.1, 0.3, 1, 3],
  momentum: [0.003, 0.01, 0.03, 0.1, 0.3, 1],
  adam: [3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1],
  kfac: [0.01, 0.03, 0.1, 0.3, 1],
};
const PAPER_LRS: Record<Opt, number[]> = {
  sgd: logspace(-2, 1, 7),
  momentum: logspace(-3, 0, 7),
  adam: logspace(-4, -1, 7),
  kfac: logspace(-2.5, 0.5, 7),
};
const listOf = (lrs: Record<Opt, number[]>) => ORDER.flatMap((optimizer) => lrs[optimizer].map((lr) => ({ optimizer, lr })));

export const REAL_NETWORK_SWEEPS: { smoke: SweepDeclaration; small: SweepDeclaration; paper: SweepDeclaration } = {
  smoke: {
    axes: {
      grid: { batchSize: [16, 256] },
      list: [
        { optimizer: 'sgd', lr: 0.5 },
        { optimizer: 'momentum', lr: 0.05 },
        { optimizer: 'adam', lr: 0.01 },
        { optimizer: 'kfac', lr: 0.1 },
      ],
    },
    seeds: [0],
  },
  small: { axes: { grid: { batchSize: [4, 16, 64, 256, 1024] }, list: listOf(LRS) }, seeds: [0] },
  paper: { axes: { grid: { batchSize: [8, 32, 128, 512, 2048, 8000] }, list: listOf(PAPER_LRS) }, seeds: [0, 1, 2] },
};

/**
 * The mapping to the NQM (an assumption, not derived): SGD ↔ SGD with p = 0; momentum ↔ momentum
 * (β tuned) with p = 0; Adam ↔ momentum with p = 0.25 (a diagonal, partial preconditioner with
 * β₁ = 0.9); K-FAC ↔ momentum with p = 0.5 (a closer curvature preconditioner).
 */
export const NQM_MAPPING: Record<Opt, { method: Method; p: number }> = {
  sgd: { method: 'sgd', p: 0 },
  momentum: { method: 'momentum', p: 0 },
  adam: { method: 'momentum', p: 0.25 },
  kfac: { method: 'momentum', p: 0.5 },
};

/** `edge`: the best LR is the grid's smallest or largest, so the optimum may lie outside the grid. */
export interface TunedRow {
  optimizer: Opt;
  B: number;
  steps: number | null;
  lr: number | null;
  edge: boolean;
}
export interface FitRow {
  optimizer: Opt;
  bCrit: number | null;
  sMin: number | null;
  eMin: number | null;
  r2: number | null;
  n: number;
}
export interface NqmPrediction {
  optimizer: Opt;
  method: Method;
  p: number;
  bCrit: number | null;
  rows: StepsRow[];
}
export interface RealNetworkAnalysis {
  tuned: TunedRow[];
  fits: FitRow[];
  nqm: NqmPrediction[];
  maxB: number;
}

/** A point counts as reached only when every seed reached the target; its steps are the seed mean. */
function pointSteps(values: readonly (number | null)[]): number | null {
  if (values.length === 0 || values.some((v) => v === null || !Number.isFinite(v))) return null;
  return (values as number[]).reduce((a, b) => a + b, 0) / values.length;
}

/** Steps to target per (optimizer, B) = min over the LR grid, with the LR that achieved it. */
export function tuneOverLr(agg: SweepAggregate): TunedRow[] {
  const best = new Map<string, TunedRow>();
  const lrsAt = new Map<string, number[]>();
  for (const p of agg.points) {
    const optimizer = p.values['optimizer'] as Opt;
    const B = p.values['batchSize'] as number;
    const lr = p.values['lr'] as number;
    if (typeof optimizer !== 'string' || typeof B !== 'number') continue;
    const steps = pointSteps(p.metrics['steps']?.values ?? []);
    const k = `${optimizer}|${B}`;
    lrsAt.set(k, [...(lrsAt.get(k) ?? []), lr]);
    const cur = best.get(k);
    if (!cur) best.set(k, { optimizer, B, steps, lr: steps === null ? null : lr, edge: false });
    else if (steps !== null && (cur.steps === null || steps < cur.steps)) best.set(k, { optimizer, B, steps, lr, edge: false });
  }
  for (const [k, r] of best) {
    const lrs = lrsAt.get(k)!;
    r.edge = r.lr !== null && lrs.length > 1 && (r.lr === Math.min(...lrs) || r.lr === Math.max(...lrs));
  }
  return [...best.values()].sort((a, b) => ORDER.indexOf(a.optimizer) - ORDER.indexOf(b.optimizer) || a.B - b.B);
}

function fit(optimizer: Opt, rows: TunedRow[]): FitRow {
  const n = rows.filter((r) => r.steps !== null).length;
  try {
    const f: CriticalBatchFit = fitCriticalBatch(rows);
    return { optimizer, bCrit: f.bCrit, sMin: f.sMin, eMin: f.eMin, r2: f.r2, n };
  } catch {
    return { optimizer, bCrit: null, sMin: null, eMin: null, r2: null, n }; // fewer than two reached batch sizes
  }
}

let nqmCache: NqmPrediction[] | undefined;
/** The NQM's B_crit for each mapped setting (notebook model d = 10⁴, 100 bins, target 0.01; coarser LR/β grids). */
export function nqmPrediction(): NqmPrediction[] {
  if (nqmCache) return nqmCache;
  const nqm = makeNqm({ d: 10_000, binning: 'bins', bins: 100 });
  const Bs = powersOfTwo(0, 20, 2);
  nqmCache = ORDER.map((optimizer) => {
    const { method, p } = NQM_MAPPING[optimizer];
    const lrs = method === 'sgd' ? logspace(-5, 0.5, 40) : logspace(-8, 1, 40);
    const rows = tune(nqm, method, p, Bs, 0.01, { lrs, coefs: logspace(-5, 0, 10).map((v) => 1 - v) });
    let bCrit: number | null = null;
    try {
      bCrit = fitCriticalBatch(rows).bCrit;
    } catch {
      bCrit = null;
    }
    return { optimizer, method, p, bCrit, rows };
  });
  return nqmCache;
}

export function analyzeRealNetworks(agg: SweepAggregate): RealNetworkAnalysis {
  const tuned = tuneOverLr(agg);
  const present = ORDER.filter((o) => tuned.some((r) => r.optimizer === o));
  return {
    tuned,
    fits: present.map((o) =>
      fit(
        o,
        tuned.filter((r) => r.optimizer === o),
      ),
    ),
    nqm: nqmPrediction().filter((x) => present.includes(x.optimizer)),
    maxB: Math.max(0, ...tuned.map((r) => r.B)),
  };
}

const fmt = (v: number | null | undefined): string => (v == null ? 'n/a' : Number(v.toPrecision(3)).toString());

export function realNetworkClaims(agg: SweepAggregate): Claim[] {
  const a = analyzeRealNetworks(agg);
  const bc = (o: Opt): number | null => a.fits.find((f) => f.optimizer === o)?.bCrit ?? null;
  const nq = (o: Opt): number | null => a.nqm.find((f) => f.optimizer === o)?.bCrit ?? null;
  const out: Claim[] = [];
  const m = bc('momentum'),
    ad = bc('adam'),
    kf = bc('kfac');
  out.push(
    checkClaim({
      id: 'bcrit-adam-kfac-above-momentum',
      statement: 'B_crit(Adam) and B_crit(K-FAC) > B_crit(momentum SGD) (fit T(B) = S_min + E_min/B to the LR-tuned steps to target)',
      expected: 'B_crit(Adam) > B_crit(momentum) and B_crit(K-FAC) > B_crit(momentum)',
      value: m === null || ad === null || kf === null ? null : { m, ad, kf },
      holds: (v) => v.ad > v.m && v.kf > v.m,
      format: (v) =>
        `momentum ${fmt(v.m)}, Adam ${fmt(v.ad)}, K-FAC ${fmt(v.kf)}, SGD ${fmt(bc('sgd'))} (largest B measured ${a.maxB}` +
        `${[v.m, v.ad, v.kf].some((x) => x > a.maxB) ? '; a B_crit above it is an extrapolation' : ''})`,
    }),
  );
  out.push(
    checkClaim({
      id: 'nqm-predicts-order',
      statement: 'the NQM under the stated mapping (momentum p = 0, Adam ≈ momentum p = 0.25, K-FAC ≈ momentum p = 0.5) predicts the same order',
      expected: 'NQM B_crit(p = 0.25) and B_crit(p = 0.5) > B_crit(p = 0), both with momentum',
      value: nq('momentum') === null || nq('adam') === null || nq('kfac') === null ? null : { m: nq('momentum')!, ad: nq('adam')!, kf: nq('kfac')! },
      holds: (v) => v.ad > v.m && v.kf > v.m,
      format: (v) =>
        `NQM B_crit: momentum p=0 ${fmt(v.m)}, p=0.25 ${fmt(v.ad)} (×${fmt(v.ad / v.m)}), p=0.5 ${fmt(v.kf)} (×${fmt(v.kf / v.m)}); ` +
        `measured ratios to momentum: Adam ×${fmt(ad !== null && m !== null ? ad / m : null)}, K-FAC ×${fmt(kf !== null && m !== null ? kf / m : null)}`,
    }),
  );
  const edges = a.tuned.filter((r) => r.edge);
  out.push({
    id: 'lr-grid-brackets-optimum',
    statement: 'the LR grid brackets the best LR at every (optimizer, B) (otherwise steps to target are overestimated there)',
    expected: 'no best LR at the edge of its grid',
    pass: a.tuned.length === 0 ? null : edges.length === 0,
    observed:
      edges.length === 0 ? `${a.tuned.length} points, all bracketed` : `at the edge: ${edges.map((r) => `${r.optimizer} B=${r.B} (lr ${r.lr})`).join(', ')}`,
  });
  for (const f of a.fits) {
    out.push({
      id: `fit-${f.optimizer}`,
      statement: `${f.optimizer}: B_crit fit from at least three reached batch sizes`,
      expected: '≥ 3 reached batch sizes',
      observed:
        f.bCrit === null ? `${f.n} reached` : `B_crit ${fmt(f.bCrit)}, S_min ${fmt(f.sMin)}, E_min ${fmt(f.eMin)}, r² ${fmt(f.r2)} over ${f.n} batch sizes`,
      pass: f.n >= 3,
    });
  }
  return out;
}

export function realNetworkFigures(agg: SweepAggregate): FigureSpec[] {
  const a = analyzeRealNetworks(agg);
  const measured = a.tuned.filter((r) => r.steps !== null).map((r) => ({ B: r.B, steps: r.steps!, optimizer: r.optimizer }));
  const Bs = [...new Set(a.tuned.map((r) => r.B))].sort((x, y) => x - y);
  const dense = Bs.length ? logspace(Math.log10(Bs[0]!), Math.log10(Bs[Bs.length - 1]!), 25) : [];
  const fits = a.fits.filter((f) => f.sMin !== null).flatMap((f) => dense.map((B) => ({ B, fit: f.sMin! + f.eMin! / B, optimizer: f.optimizer })));
  const out: FigureSpec[] = [];
  if (measured.length) {
    // Points (measured) and dashed lines (fits) share one colour per optimizer: a layered spec.
    const x = { field: 'B', type: 'quantitative', title: 'batch size B', scale: { type: 'log' } };
    const color = { field: 'optimizer', type: 'nominal', sort: [...ORDER] };
    out.push({
      id: 'real-steps-vs-batch',
      title: 'MNIST MLP: steps to target train loss vs batch size (LR tuned per B)',
      caption: `Points: the fewest steps over the LR grid (mean over seeds). Dashed: the fit T(B) = S_min + E_min/B; B_crit ${a.fits.map((f) => `${f.optimizer} ${fmt(f.bCrit)}`).join(', ')}.`,
      vegaLite: {
        $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
        width: 520,
        height: 320,
        layer: [
          {
            data: { values: measured },
            mark: { type: 'point', filled: true, size: 60 },
            encoding: { x, y: { field: 'steps', type: 'quantitative', title: 'steps to target', scale: { type: 'log' } }, color },
          },
          {
            data: { values: fits },
            mark: { type: 'line', strokeDash: [5, 3] },
            encoding: { x, y: { field: 'fit', type: 'quantitative', scale: { type: 'log' } }, color },
          },
        ],
      },
    });
  }
  const nqm = a.nqm.flatMap((x) =>
    x.rows.filter((r) => r.steps !== null).map((r) => ({ B: r.B, steps: r.steps!, curve: `${x.optimizer} ≈ ${x.method === 'sgd' ? 'SGD' : 'mom.'} p=${x.p}` })),
  );
  if (nqm.length) {
    out.push(
      lineChart({
        id: 'nqm-prediction',
        title: 'NQM prediction under the mapping (d = 10⁴, target 0.01)',
        data: nqm,
        x: 'B',
        y: 'steps',
        series: 'curve',
        logX: true,
        logY: true,
        points: true,
        xTitle: 'batch size B',
        yTitle: 'steps to target (NQM)',
        caption: `Assumed mapping: SGD ↔ SGD p = 0, momentum ↔ momentum p = 0, Adam ↔ momentum p = 0.25, K-FAC ↔ momentum p = 0.5 (β tuned). NQM B_crit: ${a.nqm.map((x) => `${x.optimizer} ${fmt(x.bCrit)}`).join(', ')}. Compare the shapes (where scaling stops), not the absolute B.`,
      }),
    );
  }
  return out;
}
