/** The report of spectral/hessian-spectrum: density figures (log scale), eigenvalue/trace/HVP tables, claims. */
import { lineChart } from '../../report/charts.ts';
import { checkClaim } from '../../report/claims.ts';
import type { Claim, ReportSpec, TableSpec } from '../../report/spec.ts';
import type { HessianSpectrumConfig, HessianSpectrumResult } from './hessian-spectrum.ts';
import type { PhaseResult } from './analyze.ts';

/** Decades shown below each curve's peak on the log axis (smaller values are left out of the plot). */
const DECADES = 8;
const sig = (x: number, d = 6): number => Number(x.toPrecision(d));
const exp = (x: number): string => x.toExponential(2);

function densityFigure(p: PhaseResult): ReturnType<typeof lineChart> {
  const rows: { eigenvalue: number; density: number; curve: string }[] = [];
  const add = (curve: string, ys: number[]): void => {
    const floor = Math.max(...ys) * 10 ** -DECADES;
    ys.forEach((y, i) => {
      if (y > floor) rows.push({ eigenvalue: p.slq.grid[i]!, density: y, curve });
    });
  };
  add(`SLQ (${p.slq.probes} probes × ${p.slq.steps} steps)`, p.slq.density);
  if (p.dense) add('exact eigh, same smoothing', p.dense.density);
  return lineChart({
    id: `density-${p.phase}`,
    title: `Hessian eigenvalue density (${p.phase})`,
    x: 'eigenvalue',
    y: 'density',
    series: 'curve',
    logY: true,
    caption:
      `Gaussian width σ = ${exp(p.slq.sigma)}; values more than ${DECADES} decades below a curve's peak are not drawn.` +
      (p.dense ? ' The exact curve is the dense eigh spectrum smoothed with the same Gaussian: what SLQ estimates.' : ''),
    data: rows,
  });
}

function eigenTable(r: HessianSpectrumResult): TableSpec {
  const rows: (string | number | null)[][] = [];
  for (const p of r.phases) {
    p.top.values.forEach((v, i) => rows.push([p.phase, 'top', i + 1, sig(v, 12), exp(p.top.residuals[i]!), p.dense ? sig(p.dense.top[i]!, 12) : null]));
    p.bottom.values.forEach((v, i) =>
      rows.push([p.phase, 'bottom', i + 1, sig(v, 12), exp(p.bottom.residuals[i]!), p.dense ? sig(p.dense.bottom[i]!, 12) : null]),
    );
  }
  return {
    id: 'eigenvalues',
    title: 'Extreme eigenvalues (Lanczos, full reorthogonalization) and the dense eigh',
    columns: ['phase', 'end', 'rank', 'Lanczos λ', '‖Hv − λv‖', 'dense eigh λ'],
    rows,
  };
}

function traceTable(r: HessianSpectrumResult): TableSpec {
  return {
    id: 'trace',
    title: 'Trace and density moments',
    columns: ['phase', 'parameters n', 'Hutchinson trace ± SE', 'exact trace', 'SLQ first moment × n ± SE', 'SLQ grid mass', 'Lanczos steps (HVPs)'],
    rows: r.phases.map((p) => [
      p.phase,
      p.params,
      `${sig(p.trace.value)} ± ${sig(p.trace.stdErr, 3)}`,
      p.dense ? sig(p.dense.trace) : null,
      `${sig(p.slq.firstMoment * p.params)} ± ${sig(p.slq.firstMomentStdErr * p.params, 3)}`,
      sig(p.slq.mass, 8),
      `${p.lanczos.iterations} (${p.lanczos.hvps})`,
    ]),
  };
}

function comparisonTable(r: HessianSpectrumResult): TableSpec {
  const fmt = (h: number | null, tol: number | null): string => (h === null ? 'not reached' : `${h} (tol ${tol})`);
  return {
    id: 'hvp-comparison',
    title: 'HVPs for the top eigenvalues (largest magnitude) to the relative accuracy: Lanczos vs power iteration with deflation (PyHessian)',
    columns: [
      'phase',
      'k',
      'rel. accuracy',
      'Lanczos HVPs (its tol)',
      'Lanczos oracle step',
      'power iteration HVPs (its tol)',
      'PyHessian defaults: HVPs, rel. error',
    ],
    rows: r.phases
      .filter((p) => p.comparison)
      .map((p) => {
        const c = p.comparison!;
        return [
          p.phase,
          c.k,
          c.rtol,
          fmt(c.lanczos.hvps, c.lanczos.tol),
          c.lanczosOracle,
          fmt(c.power.hvps, c.power.tol),
          `${c.powerDefault.hvps}, ${exp(c.powerDefault.maxRelErr)}`,
        ];
      }),
  };
}

function phaseClaims(p: PhaseResult, c: HessianSpectrumConfig): Claim[] {
  const n = p.params;
  const moment = { m1: p.slq.firstMoment, tr: p.trace.value / n, se: Math.hypot(p.trace.stdErr / n, p.slq.firstMomentStdErr) };
  return [
    checkClaim({
      id: `lanczos-matches-dense-${p.phase}`,
      statement: `(${p.phase}) Lanczos top-${c.top} eigenvalues equal the dense eigh to 1e-8 relative`,
      expected: 'max |λ_Lanczos − λ_eigh| / |λ_eigh| ≤ 1e-8',
      value: p.dense ? p.dense.topMaxRelErr : undefined,
      holds: (v) => v <= 1e-8,
      format: exp,
    }),
    checkClaim({
      id: `density-mass-${p.phase}`,
      statement: `(${p.phase}) the SLQ density has mass 1`,
      expected: "every probe's weights sum to 1 within 1e-12; the smoothed density integrates to 1 within 1e-3",
      value: { w: p.slq.weightMassMaxErr, m: p.slq.mass },
      holds: (v) => v.w <= 1e-12 && Math.abs(v.m - 1) <= 1e-3,
      format: (v) => `max |Σw − 1| = ${exp(v.w)}, grid mass ${sig(v.m, 8)}`,
    }),
    checkClaim({
      id: `first-moment-${p.phase}`,
      statement: `(${p.phase}) the SLQ density's first moment matches the Hutchinson trace / n`,
      expected: "|m₁ − trace/n| ≤ 3·SE (SE of the difference: Hutchinson SE/n and the SLQ probes' SE combined; independent probes)",
      value: moment,
      holds: (v) => Math.abs(v.m1 - v.tr) <= 3 * v.se,
      format: (v) => `m₁ = ${exp(v.m1)}, trace/n = ${exp(v.tr)}, |Δ| = ${exp(Math.abs(v.m1 - v.tr))} = ${(Math.abs(v.m1 - v.tr) / v.se).toFixed(2)} SE`,
    }),
    checkClaim({
      id: `lanczos-fewer-hvps-${p.phase}`,
      statement: `(${p.phase}) Lanczos needs fewer HVPs than power iteration with deflation for the top-${c.compareK} eigenvalues to ${c.compareRtol} relative`,
      expected: 'HVPs(Lanczos) < HVPs(power iteration)',
      value: p.comparison ? { l: p.comparison.lanczos.hvps, p: p.comparison.power.hvps } : undefined,
      holds: (v) => v.l !== null && (v.p === null || v.l < v.p),
      format: (v) => `Lanczos ${v.l ?? 'not reached'}, power iteration ${v.p ?? 'not reached'}`,
    }),
  ];
}

export function spectrumReport(r: HessianSpectrumResult, c: HessianSpectrumConfig): ReportSpec {
  const n = r.phases[0]?.params ?? 0;
  return {
    title: 'Hessian spectrum of an MNIST MLP',
    summary:
      `MLP ${r.sizes.join('-')} (${c.activation}, ${n} parameters) on MNIST digits average-pooled ${c.pool}×${c.pool}; the Hessian is the full-batch one ` +
      `of the mean cross-entropy over ${c.hessianExamples} training digits (chunks of ${c.chunkSize}), at initialization and after ${c.steps} SGD steps ` +
      `(lr ${c.lr}, batch ${c.batchSize}${r.finalTrainLoss === null ? '' : `, final minibatch loss ${sig(r.finalTrainLoss, 4)}`}). ` +
      `Lanczos with full reorthogonalization gives the top-${c.top} and bottom-${c.bottom} eigenvalues to a residual tolerance of ${c.lanczosTol}·‖H‖; ` +
      `Hutchinson uses ${c.hutchinsonProbes} Rademacher probes, SLQ ${c.slqProbes} probes of ${c.slqSteps} steps.` +
      (n <= c.denseMaxParams
        ? ` The model is small enough (≤ ${c.denseMaxParams} parameters) for the exact dense Hessian (one HVP per parameter) and its eigh.`
        : ` The model has more than ${c.denseMaxParams} parameters: no dense check.`),
    figures: r.phases.map(densityFigure),
    tables: [eigenTable(r), traceTable(r), ...(r.phases.some((p) => p.comparison) ? [comparisonTable(r)] : [])],
    claims: r.phases.flatMap((p) => phaseClaims(p, c)),
  };
}
