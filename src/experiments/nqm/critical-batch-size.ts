/**
 * nqm/critical-batch-size — the NQM study of Zhang et al. (2019): steps to a target loss against
 * batch size for preconditioned SGD (P = H^−p), heavy-ball momentum and iterate EMA, each tuned
 * per batch size on the official notebook's grids; the critical batch size of every curve; and a
 * Monte-Carlo check of the closed forms.
 */
import { z } from 'zod';
import { lineChart } from '../../report/charts.ts';
import { checkClaim } from '../../report/claims.ts';
import type { Claim, ReportSpec } from '../../report/spec.ts';
import { key as prngKey, foldIn } from '../../tensor/prng.ts';
import { defineExperiment, RunInterrupted } from '../experiment.ts';
import { makeNqm, lowerBoundSteps } from '../../methods/nqm/problem.ts';
import { tune, lossAt, type StepsRow } from '../../methods/nqm/tune.ts';
import { logspace, powersOfTwo } from '../../methods/nqm/grids.ts';
import { fitCriticalBatch } from '../../methods/nqm/critical-batch.ts';
import { monteCarlo } from '../../methods/nqm/monte-carlo.ts';
import type { Method, Setting } from '../../methods/nqm/dynamics.ts';
import { batchShape, buildNqm, describeNqm, fmtSteps, nqmConfigShape } from './settings.ts';

const METHODS = ['sgd', 'momentum', 'ema'] as const;

const config = z
  .object({
    ...nqmConfigShape,
    ...batchShape,
    ps: z.array(z.number().min(0).max(1)).min(1).default([0, 0.25, 0.5, 0.75]),
    methods: z
      .array(z.enum(METHODS))
      .min(1)
      .default([...METHODS]),
    /** Points of the notebook's LR grids (SGD logspace(−5, 0.5, n); momentum/EMA logspace(−8, 1, n)). */
    lrPoints: z.number().int().min(1).max(1000).default(100),
    /** Points of the β/γ grid 1 − logspace(−5, 0, n). */
    coefPoints: z.number().int().min(1).max(200).default(20),
    search: z.enum(['lifting', 'bisection']).default('lifting'),
    /** Monte-Carlo check (the method notes' table: d=200, B=8, α=0.3, β=0.8, γ=0.9, 300 steps). */
    mcRuns: z.number().int().min(2).max(1_000_000).default(2000),
    mcSteps: z.number().int().min(1).max(100_000).default(300),
  })
  .strict()
  .refine((c) => c.batchFrom <= c.batchTo, { message: 'batchFrom must be ≤ batchTo', path: ['batchFrom'] });
export type CriticalBatchConfig = z.infer<typeof config>;

export interface BCritRow {
  method: Method;
  p: number;
  bCrit: number | null;
  sMin: number | null;
  eMin: number | null;
  r2: number | null;
}
export interface McRow {
  method: Method;
  monteCarlo: number;
  stdError: number;
  closedForm: number;
  relDiff: number;
}
export interface CriticalBatchResult {
  nqm: Record<string, unknown>;
  grids: Record<string, unknown>;
  stepsToTarget: StepsRow[];
  bCrit: BCritRow[];
  lowerBound: { B: number; steps: number }[];
  monteCarlo: { d: number; B: number; lr: number; beta: number; gamma: number; steps: number; runs: number; rows: McRow[] };
}

/** The tuning half of the study, as a plain function (the bench times the whole experiment run). */
export function tuneOne(c: CriticalBatchConfig, method: Method, p: number): StepsRow[] {
  const nqm = buildNqm(c);
  const lrs = method === 'sgd' ? logspace(-5, 0.5, c.lrPoints) : logspace(-8, 1, c.lrPoints);
  const coefs = logspace(-5, 0, c.coefPoints).map((v) => 1 - v);
  return tune(nqm, method, p, powersOfTwo(c.batchFrom, c.batchTo, c.batchEvery), c.target, { lrs, coefs, search: c.search });
}

function fitRow(method: Method, p: number, rows: StepsRow[]): BCritRow {
  try {
    const f = fitCriticalBatch(rows);
    return { method, p, bCrit: f.bCrit, sMin: f.sMin, eMin: f.eMin, r2: f.r2 };
  } catch {
    return { method, p, bCrit: null, sMin: null, eMin: null, r2: null }; // fewer than two reached batch sizes
  }
}

const MC = { d: 200, B: 8, lr: 0.3, beta: 0.8, gamma: 0.9 };

export const criticalBatchSize = defineExperiment({
  id: 'nqm/critical-batch-size',
  title: 'Noisy quadratic model: critical batch size of SGD, momentum and EMA under preconditioning',
  paper:
    'Zhang, Li, Nado, Martens, Sachdeva, Dahl, Shallue & Grosse (2019), "Which Algorithmic Choices Matter at Which Batch Sizes? Insights From a Noisy Quadratic Model" (NeurIPS)',
  description:
    "Exact expected-loss dynamics of the NQM (H = diag(1/i), C = H, d = 10⁴); steps to a target loss vs batch size, tuned per batch size on the official notebook's grids, for P = H^−p with p ∈ {0, .25, .5, .75}; critical batch sizes by the fit T(B) = S_min + E_min/B.",
  config,
  presets: {
    smoke: { ps: [0, 0.5], batchFrom: 2, batchTo: 20, batchEvery: 6, lrPoints: 30, coefPoints: 6, mcRuns: 40, mcSteps: 100 },
    small: {},
    paper: { mcRuns: 8000 },
  },
  async run(c, io) {
    const nqm = buildNqm(c);
    const Bs = powersOfTwo(c.batchFrom, c.batchTo, c.batchEvery);
    const rows: StepsRow[] = [];
    const jobs = c.methods.flatMap((m) => c.ps.map((p) => ({ m, p })));
    for (const [i, { m, p }] of jobs.entries()) {
      if (io.signal.aborted) throw new RunInterrupted();
      io.progress({ stage: `${m} p=${p}`, step: i, total: jobs.length });
      const r = await io.stage(`tune-${m}-p${p}`, () => {
        const out = tuneOne(c, m, p);
        for (const row of out) io.log({ ...row });
        return out;
      });
      rows.push(...r);
    }
    const bCrit = c.methods.flatMap((m) =>
      c.ps.map((p) =>
        fitRow(
          m,
          p,
          rows.filter((r) => r.method === m && r.p === p),
        ),
      ),
    );
    io.progress({ stage: 'monte-carlo', step: jobs.length, total: jobs.length + 1 });
    const mc = await io.stage('monte-carlo', () => {
      const small = makeNqm({ d: MC.d, binning: 'exact' });
      const settings: Setting[] = [
        { method: 'sgd', p: 0, lr: MC.lr },
        { method: 'momentum', p: 0, lr: MC.lr, coef: MC.beta },
        { method: 'ema', p: 0, lr: MC.lr, coef: MC.gamma },
      ];
      const res = monteCarlo(small, settings, MC.B, { runs: c.mcRuns, steps: c.mcSteps, key: foldIn(prngKey(io.seed), 'nqm-monte-carlo') });
      return res.map((r): McRow => {
        const cf = lossAt(small, r.setting, MC.B, c.mcSteps);
        return { method: r.setting.method, monteCarlo: r.mean, stdError: r.stdError, closedForm: cf, relDiff: Math.abs(r.mean - cf) / cf };
      });
    });
    return {
      nqm: describeNqm(c, nqm),
      grids: {
        sgdLr: `logspace(-5, 0.5, ${c.lrPoints})`,
        momentumEmaLr: `logspace(-8, 1, ${c.lrPoints})`,
        betaGamma: `1 - logspace(-5, 0, ${c.coefPoints})`,
        batchSizes: Bs,
        search: c.search,
        convention: 'notebook: last step count found with E[L] >= target, max(low, 1); ranges [0, 1e9) SGD, [0, 1e7) momentum/EMA',
      },
      stepsToTarget: rows,
      bCrit,
      lowerBound: Bs.map((B) => ({ B, steps: lowerBoundSteps(c.d, c.target, B) })),
      monteCarlo: { ...MC, steps: c.mcSteps, runs: c.mcRuns, rows: mc },
    };
  },
  report(r, c) {
    return { title: this.title, summary: summaryText(r, c), figures: figures(r), tables: tables(r), claims: claims(r, c) };
  },
});

const stepsOf = (r: CriticalBatchResult, method: Method, p: number, B: number): number | null | undefined =>
  r.stepsToTarget.find((x) => x.method === method && x.p === p && x.B === B)?.steps;
const bCritOf = (r: CriticalBatchResult, method: Method, p: number): number | null | undefined => r.bCrit.find((x) => x.method === method && x.p === p)?.bCrit;

function summaryText(r: CriticalBatchResult, c: CriticalBatchConfig): string {
  return (
    `The NQM with d = ${c.d} (${c.binning === 'bins' ? `the notebook's ${c.bins} geometric bins, ${String(r.nqm['groups'])} non-empty` : 'exact d-dimensional evaluation'}), ` +
    `h_i = i^-${c.spectrumPower}, C = ${c.noiseScale}·H^${c.noisePower}, target E[L] < ${c.target}. ` +
    `Every point is the fewest steps over the notebook's grid at that batch size (${String(r.grids['sgdLr'])} for SGD; ${String(r.grids['momentumEmaLr'])} × β/γ ∈ ${String(r.grids['betaGamma'])} for momentum and EMA), ` +
    `evaluated exactly through powers of the 4×4 affine second-moment map (search: ${c.search}). ` +
    'Critical batch sizes come from fitting T(B) = S_min + E_min/B on log T; the dashed lower bound is d/(2·target·B).'
  );
}

function figures(r: CriticalBatchResult): ReportSpec['figures'] {
  const out: ReportSpec['figures'] = [];
  const methods = [...new Set(r.stepsToTarget.map((x) => x.method))];
  const bound = r.lowerBound.map((b) => ({ B: b.B, steps: b.steps, curve: 'lower bound d/(2CB)' }));
  for (const m of methods) {
    const data = [...r.stepsToTarget.filter((x) => x.method === m && x.steps !== null).map((x) => ({ B: x.B, steps: x.steps, curve: `p = ${x.p}` })), ...bound];
    out.push(
      lineChart({
        id: `steps-${m}`,
        title: `Steps to target vs batch size: ${m}`,
        data,
        x: 'B',
        y: 'steps',
        series: 'curve',
        logX: true,
        logY: true,
        points: true,
        xTitle: 'batch size B',
        yTitle: 'steps to target',
      }),
    );
  }
  const p0 = [...r.stepsToTarget.filter((x) => x.p === 0 && x.steps !== null).map((x) => ({ B: x.B, steps: x.steps, curve: x.method })), ...bound];
  if (p0.length > bound.length)
    out.push(
      lineChart({
        id: 'steps-methods-p0',
        title: 'SGD, momentum and EMA (p = 0)',
        data: p0,
        x: 'B',
        y: 'steps',
        series: 'curve',
        logX: true,
        logY: true,
        points: true,
        xTitle: 'batch size B',
        yTitle: 'steps to target',
      }),
    );
  for (const m of methods) {
    const lr = r.stepsToTarget
      .filter((x) => x.method === m && x.lr !== null)
      .map((x) => ({
        B: x.B,
        curve: `p = ${x.p}`,
        // Momentum's effective learning rate α/(1−β) is what compares with SGD's α.
        lr: m === 'momentum' ? x.lr! / (1 - (x.beta ?? 0)) : x.lr!,
      }));
    const what = m === 'momentum' ? 'effective learning rate α/(1−β)' : 'learning rate';
    if (lr.length > 0)
      out.push(
        lineChart({
          id: `optimal-lr-${m}`,
          title: `Optimal ${what} vs batch size: ${m}`,
          data: lr,
          x: 'B',
          y: 'lr',
          series: 'curve',
          logX: true,
          logY: true,
          points: true,
          xTitle: 'batch size B',
          yTitle: `optimal ${what}`,
        }),
      );
  }
  return out;
}

function tables(r: CriticalBatchResult): ReportSpec['tables'] {
  const fmt = (v: number | null, digits = 4): string | null => (v === null ? null : Number(v.toPrecision(digits)).toString());
  const Bs = [...new Set(r.stepsToTarget.map((x) => x.B))];
  const curves = [...new Set(r.stepsToTarget.map((x) => `${x.method}|${x.p}`))];
  return [
    {
      id: 'bcrit',
      title: 'Critical batch sizes (fit T(B) = S_min + E_min/B on log T)',
      columns: ['method', 'p', 'B_crit', 'S_min', 'E_min', 'r²'],
      rows: r.bCrit.map((b) => [b.method, b.p, fmt(b.bCrit), fmt(b.sMin), fmt(b.eMin), fmt(b.r2, 5)]),
    },
    {
      id: 'steps',
      title: 'Steps to target (null: unreachable on the grid)',
      columns: ['method', 'p', ...Bs.map((B) => `B=${B}`)],
      rows: curves.map((k) => {
        const [m, p] = k.split('|');
        return [m!, Number(p), ...Bs.map((B) => r.stepsToTarget.find((x) => x.method === m && x.p === Number(p) && x.B === B)?.steps ?? null)];
      }),
    },
    {
      id: 'monte-carlo',
      title: `Monte Carlo (${r.monteCarlo.runs} runs) vs closed form, d=${r.monteCarlo.d}, B=${r.monteCarlo.B}, α=${r.monteCarlo.lr}, β=${r.monteCarlo.beta}, γ=${r.monteCarlo.gamma}, ${r.monteCarlo.steps} steps`,
      columns: ['method', 'Monte Carlo', '± std. error', 'closed form', '|rel. diff|'],
      rows: r.monteCarlo.rows.map((m) => [m.method, fmt(m.monteCarlo, 6), fmt(m.stdError, 3), fmt(m.closedForm, 6), fmt(m.relDiff, 3)]),
    },
  ];
}

function claims(r: CriticalBatchResult, c: CriticalBatchConfig): Claim[] {
  const out: Claim[] = [];
  for (const m of r.monteCarlo.rows) {
    out.push(
      checkClaim({
        id: `monte-carlo-${m.method}`,
        statement: `Monte Carlo (${r.monteCarlo.runs} runs) agrees with the closed form for ${m.method} within 1 %`,
        expected: '|MC − closed form| / closed form ≤ 0.01',
        value: m,
        holds: (v) => v.relDiff <= 0.01,
        format: (v) => `MC ${v.monteCarlo.toPrecision(5)} ± ${v.stdError.toPrecision(2)} vs ${v.closedForm.toPrecision(5)} (${(100 * v.relDiff).toFixed(2)} %)`,
      }),
    );
  }
  // Perfect scaling well below B_crit: T·B within 5 % over B ≤ B_crit/8, for every p (SGD).
  const ps = [...new Set(r.stepsToTarget.map((x) => x.p))].sort((a, b) => a - b);
  const spreads = ps.map((p) => {
    const bc = bCritOf(r, 'sgd', p);
    const rows = r.stepsToTarget.filter((x) => x.method === 'sgd' && x.p === p && x.steps !== null && bc !== null && bc !== undefined && x.B <= bc / 8);
    if (rows.length < 2) return null;
    const tb = rows.map((x) => x.steps! * x.B);
    return { p, n: rows.length, spread: Math.max(...tb) / Math.min(...tb) - 1 };
  });
  out.push(
    checkClaim({
      id: 'perfect-scaling',
      statement: 'SGD: T·B is constant within 5 % well below B_crit (B ≤ B_crit/8), for every p',
      expected: 'max(T·B)/min(T·B) − 1 ≤ 0.05 for each p',
      value: spreads.some((s) => s === null) || spreads.length === 0 ? null : spreads.map((s) => s!),
      holds: (v) => v.every((s) => s.spread <= 0.05),
      format: (v) => v.map((s) => `p=${s.p}: ${(100 * s.spread).toFixed(2)} % over ${s.n} batch sizes`).join('; '),
    }),
  );
  const sgdBc = ps.map((p) => ({ p, b: bCritOf(r, 'sgd', p) }));
  out.push(
    checkClaim({
      id: 'bcrit-monotone-in-p',
      statement: 'SGD: B_crit rises monotonically with the preconditioner power p',
      expected: 'B_crit strictly increasing in p',
      value: ps.length < 2 || sgdBc.some((x) => x.b == null) ? null : sgdBc,
      holds: (v) => v.every((x, i) => i === 0 || x.b! > v[i - 1]!.b!),
      format: (v) => v.map((x) => `p=${x.p}: ${x.b!.toPrecision(4)}`).join(', '),
    }),
  );
  const ratio = (a: number | null | undefined, b: number | null | undefined): number | null => (a == null || b == null ? null : a / b);
  out.push(
    checkClaim({
      id: 'bcrit-ratio',
      statement: 'SGD: B_crit(p = 0.5) / B_crit(p = 0) ≥ 10 (the NQM stand-in for "Adam/K-FAC scale further than SGD")',
      expected: '≥ 10',
      value: ratio(bCritOf(r, 'sgd', 0.5), bCritOf(r, 'sgd', 0)),
      holds: (v) => v >= 10,
      format: (v) => v.toPrecision(4),
    }),
  );
  const top = Math.max(...r.stepsToTarget.map((x) => x.B));
  out.push(
    checkClaim({
      id: 'momentum-small-batch',
      statement: 'momentum gives no gain at B = 4 (p = 0): T_momentum / T_SGD in [0.8, 1.05]',
      expected: '0.8 ≤ ratio ≤ 1.05',
      value: ratio(stepsOf(r, 'momentum', 0, 4), stepsOf(r, 'sgd', 0, 4)),
      holds: (v) => v >= 0.8 && v <= 1.05,
      format: (v) => `${v.toFixed(4)} (${fmtSteps(stepsOf(r, 'momentum', 0, 4))} vs ${fmtSteps(stepsOf(r, 'sgd', 0, 4))})`,
    }),
  );
  out.push(
    checkClaim({
      id: 'momentum-large-batch',
      statement: 'momentum needs ≥ 20× fewer steps than SGD at B = 2^20 (p = 0)',
      expected: 'T_SGD / T_momentum ≥ 20',
      value: top >= 2 ** 20 ? ratio(stepsOf(r, 'sgd', 0, 2 ** 20), stepsOf(r, 'momentum', 0, 2 ** 20)) : null,
      holds: (v) => v >= 20,
      format: (v) => `${v.toFixed(2)} (${fmtSteps(stepsOf(r, 'sgd', 0, 2 ** 20))} vs ${fmtSteps(stepsOf(r, 'momentum', 0, 2 ** 20))})`,
    }),
  );
  out.push(
    checkClaim({
      id: 'ema-small-batch',
      statement: 'EMA needs ≥ 5× fewer steps than SGD at B = 4 (p = 0)',
      expected: 'T_SGD / T_EMA ≥ 5',
      value: ratio(stepsOf(r, 'sgd', 0, 4), stepsOf(r, 'ema', 0, 4)),
      holds: (v) => v >= 5,
      format: (v) => `${v.toFixed(3)} (${fmtSteps(stepsOf(r, 'sgd', 0, 4))} vs ${fmtSteps(stepsOf(r, 'ema', 0, 4))})`,
    }),
  );
  const large = [...new Set(r.stepsToTarget.map((x) => x.B))].filter((B) => B >= 16384);
  const emaLarge = large.map((B) => ratio(stepsOf(r, 'ema', 0, B), stepsOf(r, 'sgd', 0, B)));
  out.push(
    checkClaim({
      id: 'ema-large-batch',
      statement: 'EMA gives no gain at B ≥ 16384 (p = 0): T_EMA / T_SGD in [0.98, 1.02] at every such B',
      expected: 'every ratio in [0.98, 1.02]',
      value: large.length === 0 || emaLarge.some((v) => v === null) ? null : emaLarge.map((v, i) => ({ B: large[i]!, v: v! })),
      holds: (v) => v.every((x) => x.v >= 0.98 && x.v <= 1.02),
      format: (v) => v.map((x) => `B=${x.B}: ${x.v.toFixed(4)}`).join(', '),
    }),
  );
  out.push(
    checkClaim({
      id: 'momentum-bcrit-ratio',
      statement: 'method notes N3: with momentum tuned too, B_crit(p = 0.5) / B_crit(p = 0) ≥ 2',
      expected: '≥ 2',
      value: ratio(bCritOf(r, 'momentum', 0.5), bCritOf(r, 'momentum', 0)),
      holds: (v) => v >= 2,
      format: (v) => v.toPrecision(4),
    }),
  );
  const violations = r.stepsToTarget.filter((x) => x.steps !== null && x.steps < lowerBoundSteps(c.d, c.target, x.B));
  out.push({
    id: 'lower-bound',
    statement: 'every result honours the lower bound d/(2·target·B)',
    expected: 'no violations',
    observed: `${violations.length} violations of ${r.stepsToTarget.filter((x) => x.steps !== null).length} reached rows`,
    pass: violations.length === 0,
  });
  return out;
}
