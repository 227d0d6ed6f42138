/**
 * qubo-qnn/train — a ternary d → H → 1 network trained by binary optimization on a two-class task
 * (Iris after PCA by default; two MNIST or Fashion-MNIST classes), against penalty-QUBO over a grid
 * of penalties, straight-through QAT and a float network. The grid is an explicit list of cells
 * (method × seed) evaluated one by one by a pure function (cell, config, key) → row (the sweeps layer
 * is not available on this branch).
 */
import { z } from 'zod';
import { foldIn, type Key } from '../../tensor/prng.ts';
import { defineExperiment, RunInterrupted } from '../experiment.ts';
import { checkClaim } from '../../report/claims.ts';
import { lineChart } from '../../report/charts.ts';
import { binaryTask, type BinaryTask } from '../../methods/qubo-qnn/data.ts';
import { buildQcbo, decodeWeights, feasibility, networkLoss, type QnnSpec } from '../../methods/qubo-qnn/qcbo.ts';
import { qcgd } from '../../methods/qubo-qnn/qcgd.ts';
import { polishWeights } from '../../methods/qubo-qnn/polish.ts';
import { progressiveHedging } from '../../methods/qubo-qnn/hedging.ts';
import { penaltyQubo } from '../../methods/qubo-qnn/penalty.ts';
import { accuracy } from '../../methods/qubo-qnn/network.ts';
import { trainBaseline } from '../../methods/qubo-qnn/ste.ts';
import { simulatedAnnealing } from '../../methods/qubo-qnn/solvers/sa.ts';
import { solveQubo } from '../../methods/qubo-qnn/solvers/solver.ts';
import { noisyOracle } from '../../methods/qubo-qnn/solvers/noisy.ts';

const config = z
  .object({
    dataset: z.enum(['iris', 'mnist', 'fashion-mnist']).default('iris'),
    /** The two classes (first → label −1). Iris: 1 = versicolor, 2 = virginica. */
    classes: z.tuple([z.number().int().min(0), z.number().int().min(0)]).default([1, 2]),
    features: z.number().int().min(1).max(16).default(4),
    trainSize: z.number().int().min(2).default(24),
    testSize: z.number().int().min(1).default(60),
    hidden: z.number().int().min(1).max(16).default(3),
    actIntervals: z.number().int().min(1).max(16).default(4),
    actRange: z.number().positive().default(1),
    lossIntervals: z.number().int().min(1).max(32).default(6),
    qcgdIterations: z.number().int().min(1).default(100),
    /** Extra QCGD (one-hot) runs whose SA oracle sees coefficients rounded to this many bits (noisy.ts). */
    noisyOracleBits: z.array(z.number().int().min(2).max(52)).default([6]),
    oracleSweeps: z.number().int().min(1).default(200),
    phIterations: z.number().int().min(0).default(8),
    phScenarioSize: z.number().int().min(1).default(6),
    phRho: z.number().positive().default(0.3),
    phQcgdIterations: z.number().int().min(1).default(20),
    phPolish: z.boolean().default(true),
    penalties: z.array(z.number().positive()).min(1).default([0.1, 1, 10, 100]),
    penaltySweeps: z.number().int().min(1).default(300),
    penaltyReads: z.number().int().min(1).default(2),
    steSteps: z.number().int().min(1).default(300),
    lr: z.number().positive().default(0.05),
    seeds: z.number().int().min(1).default(3),
  })
  .strict()
  .refine((c) => c.classes[0] !== c.classes[1], { message: 'classes must differ' });
type Config = z.infer<typeof config>;

export type TrainCell =
  | { method: 'qcgd'; encoding: 'one-hot' | 'offset-binary'; seed: number; oracleBits?: number }
  | { method: 'ph'; seed: number }
  | { method: 'penalty'; penalty: number; seed: number }
  | { method: 'ste' | 'float'; seed: number };

export interface TrainRow {
  method: string;
  seed: number;
  trainAcc: number;
  testAcc: number;
  /** The model's training loss (spline levels) where the method optimizes it; the logistic loss for ste/float. */
  trainLoss: number;
  /** Constraint satisfaction of the returned bit vector (null where there is none). */
  feasible: boolean | null;
  maxViolation: number | null;
  variables: number | null;
  /** QCGD: raw oracle points that were feasible; polished accuracies; the trace. */
  oracleFeasible?: number;
  polishedTestAcc?: number;
  polishedTrainAcc?: number;
  source?: string;
  trace?: { t: number; objective: number; residual: number }[];
}

const specOf = (c: Config, task: BinaryTask, encoding: 'one-hot' | 'offset-binary'): QnnSpec => ({
  inputs: task.features + 1,
  hidden: c.hidden,
  values: [-1, 0, 1],
  encoding,
  activation: 'tanh',
  actIntervals: c.actIntervals,
  actRange: c.actRange,
  loss: 'logistic',
  lossIntervals: c.lossIntervals,
});

const taskCache = new Map<string, BinaryTask>();
function taskFor(c: Config, key: Key, seed: number): BinaryTask {
  const id = JSON.stringify([c.dataset, c.classes, c.features, c.trainSize, c.testSize, key, seed]);
  let t = taskCache.get(id);
  if (!t) {
    t = binaryTask(c.dataset, c.classes, { features: c.features, train: c.trainSize, test: c.testSize, key: foldIn(foldIn(key, 'data'), seed) });
    taskCache.set(id, t);
  }
  return t;
}

export function cellName(cell: TrainCell): string {
  return cell.method === 'qcgd'
    ? `qcgd (${cell.encoding}${cell.oracleBits ? `, ${cell.oracleBits}-bit oracle` : ''})`
    : cell.method === 'penalty'
      ? `penalty P=${cell.penalty}`
      : cell.method;
}

/** One cell → one row; depends only on (cell, config, key). */
export function trainCell(cell: TrainCell, c: Config, key: Key, signal?: AbortSignal): TrainRow {
  const task = taskFor(c, key, cell.seed);
  const { xs, ys } = task.train;
  const k = foldIn(foldIn(key, cellName(cell)), cell.seed);
  const base = { method: cellName(cell), seed: cell.seed };
  if (cell.method === 'ste' || cell.method === 'float') {
    const b = trainBaseline(xs, ys, { hidden: c.hidden, steps: c.steSteps, lr: c.lr, key: k, quantize: cell.method === 'ste' });
    return {
      ...base,
      trainAcc: b.accuracy(xs, ys),
      testAcc: b.accuracy(task.test.xs, task.test.ys),
      trainLoss: b.trainLoss,
      feasible: null,
      maxViolation: null,
      variables: null,
    };
  }
  const encoding = cell.method === 'qcgd' ? cell.encoding : 'one-hot';
  const spec = specOf(c, task, encoding);
  const q = buildQcbo(spec, xs, ys);
  const act = q.splines.act;
  const acc = (w: Parameters<typeof accuracy>[0]): [number, number] => [accuracy(w, act, xs, ys), accuracy(w, act, task.test.xs, task.test.ys)];
  const oracle = simulatedAnnealing({ sweeps: c.oracleSweeps });
  if (cell.method === 'qcgd') {
    const r = qcgd(q, {
      iterations: c.qcgdIterations,
      oracle: cell.oracleBits ? noisyOracle(oracle, { bits: cell.oracleBits }) : oracle,
      key: k,
      ...(signal ? { signal } : {}),
    });
    if (r.stopped) throw new RunInterrupted();
    const [trainAcc, testAcc] = acc(r.weights);
    const p = polishWeights(q, r.weights);
    const [pTrain, pTest] = acc(p.weights);
    return {
      ...base,
      trainAcc,
      testAcc,
      trainLoss: r.objective,
      feasible: r.feasible,
      maxViolation: r.maxViolation,
      variables: q.n,
      oracleFeasible: r.oracleFeasibleCount,
      polishedTrainAcc: pTrain,
      polishedTestAcc: pTest,
      source: r.source,
      trace: r.trace.map((t) => ({ t: t.t, objective: t.objective, residual: t.residual })),
    };
  }
  if (cell.method === 'ph') {
    const r = progressiveHedging(spec, xs, ys, {
      scenarioSize: c.phScenarioSize,
      iterations: c.phIterations,
      rho: c.phRho,
      key: k,
      polish: c.phPolish,
      qcgd: { iterations: c.phQcgdIterations, oracle },
      ...(signal ? { signal } : {}),
    });
    const [trainAcc, testAcc] = acc(r.weights);
    return { ...base, trainAcc, testAcc, trainLoss: r.objective, feasible: true, maxViolation: 0, variables: q.nWeightBits + c.phScenarioSize * q.localBits };
  }
  if (cell.method !== 'penalty') throw new Error(`trainCell: unknown method ${cell.method}`);
  const pq = penaltyQubo(q, { penalty: cell.penalty });
  const sol = solveQubo(simulatedAnnealing({ sweeps: c.penaltySweeps }), pq.qubo, { key: k, reads: c.penaltyReads });
  const x = sol.x.slice(0, q.n);
  const f = feasibility(q, x);
  const w = decodeWeights(q, x);
  const [trainAcc, testAcc] = acc(w);
  return { ...base, trainAcc, testAcc, trainLoss: networkLoss(q, w), feasible: f.feasible, maxViolation: f.maxViolation, variables: pq.qubo.n };
}

export function trainCells(c: Config): TrainCell[] {
  const cells: TrainCell[] = [];
  for (let seed = 0; seed < c.seeds; seed++) {
    cells.push({ method: 'qcgd', encoding: 'one-hot', seed }, { method: 'qcgd', encoding: 'offset-binary', seed });
    for (const oracleBits of c.noisyOracleBits) cells.push({ method: 'qcgd', encoding: 'one-hot', seed, oracleBits });
    if (c.phIterations > 0) cells.push({ method: 'ph', seed });
    for (const penalty of c.penalties) cells.push({ method: 'penalty', penalty, seed });
    cells.push({ method: 'ste', seed }, { method: 'float', seed });
  }
  return cells;
}

const mean = (a: readonly number[]): number => (a.length ? a.reduce((s, v) => s + v, 0) / a.length : NaN);
const pct = (v: number): string => `${(100 * v).toFixed(1)} %`;

export const quboTrain = defineExperiment({
  id: 'qubo-qnn/train',
  title: 'Ternary networks trained by binary optimization: QCGD, progressive hedging, penalty-QUBO, STE-QAT, float',
  paper: 'Li et al. (2025), "Quantum-Classical Hybrid Quantized Neural Network" (arXiv 2506.18240); formulation reconstructed (no code, body unavailable)',
  description:
    'A d→H→1 ternary network as a QCBO (FIP big-M constraints, spline activation/loss levels), solved by QCGD with an SA Ising oracle, by progressive hedging over mini-batch scenarios, and as a penalty QUBO over a grid of penalties; baselines STE-QAT and a float network on the same training rows.',
  config,
  presets: {
    smoke: {
      trainSize: 8,
      testSize: 20,
      hidden: 2,
      qcgdIterations: 8,
      oracleSweeps: 30,
      phIterations: 1,
      phScenarioSize: 4,
      phQcgdIterations: 4,
      penalties: [0.01, 100],
      penaltySweeps: 30,
      penaltyReads: 1,
      steSteps: 30,
      seeds: 1,
    },
    small: {},
    paper: {
      dataset: 'fashion-mnist',
      classes: [0, 1],
      features: 8,
      trainSize: 32,
      testSize: 1000,
      qcgdIterations: 300,
      oracleSweeps: 300,
      phIterations: 20,
      phScenarioSize: 8,
      phQcgdIterations: 30,
      penaltySweeps: 1000,
      seeds: 3,
    },
  },
  async run(c, io) {
    const cells = trainCells(c);
    const rows: TrainRow[] = [];
    for (const [i, cell] of cells.entries()) {
      if (io.signal.aborted) throw new RunInterrupted();
      io.progress({ stage: `${cellName(cell)} seed ${cell.seed}`, step: i, total: cells.length });
      const row = await io.stage(`${cellName(cell).replace(/[^a-z0-9.=-]+/gi, '-')}-seed-${cell.seed}`, () => trainCell(cell, c, io.key, io.signal));
      rows.push(row);
      const { trace: _t, ...rec } = row;
      io.log(rec);
    }
    return { rows };
  },
  report: (r, c) => {
    const methods = [...new Set(r.rows.map((x) => x.method))];
    const agg = (m: string, f: (x: TrainRow) => number | null | undefined): number =>
      mean(
        r.rows
          .filter((x) => x.method === m)
          .map(f)
          .filter((v): v is number => typeof v === 'number'),
      );
    const rows = methods.map((m) => {
      const rs = r.rows.filter((x) => x.method === m);
      const feas = rs.filter((x) => x.feasible !== null);
      return [
        m,
        Number(agg(m, (x) => x.trainAcc).toFixed(4)),
        Number(agg(m, (x) => x.testAcc).toFixed(4)),
        Number(agg(m, (x) => x.trainLoss).toFixed(4)),
        feas.length ? `${feas.filter((x) => x.feasible).length}/${feas.length}` : null,
        feas.length ? Number(Math.max(...feas.map((x) => x.maxViolation ?? 0)).toPrecision(3)) : null,
        rs[0]?.variables ?? null,
        rs[0]?.polishedTestAcc !== undefined ? Number(agg(m, (x) => x.polishedTestAcc).toFixed(4)) : null,
        rs[0]?.oracleFeasible !== undefined ? `${rs.reduce((s, x) => s + (x.oracleFeasible ?? 0), 0)}/${rs.length * c.qcgdIterations}` : null,
      ];
    });
    const ste = agg('ste', (x) => x.testAcc);
    const qc = r.rows.filter((x) => x.method.startsWith('qcgd'));
    const pen = c.penalties.map((p) => ({
      p,
      feas: mean(r.rows.filter((x) => x.method === `penalty P=${p}`).map((x) => (x.feasible ? 1 : 0))),
      acc: agg(`penalty P=${p}`, (x) => x.testAcc),
    }));
    const swing =
      pen.length >= 2
        ? {
            feas: Math.max(...pen.map((x) => x.feas)) - Math.min(...pen.map((x) => x.feas)),
            acc: Math.max(...pen.map((x) => x.acc)) - Math.min(...pen.map((x) => x.acc)),
          }
        : undefined;
    const within = (m: string) =>
      checkClaim({
        id: `accuracy-${m.replace(/[^a-z]+/g, '-')}`,
        statement: `${m}: test accuracy within 5 points of STE-QAT (mean over ${c.seeds} seed${c.seeds > 1 ? 's' : ''})`,
        expected: '≥ STE − 0.05',
        value: methods.includes(m) && Number.isFinite(ste) ? agg(m, (x) => x.testAcc) - ste : undefined,
        holds: (v) => v >= -0.05,
        format: (v) => `${(100 * v).toFixed(1)} points vs STE (${pct(agg(m, (x) => x.testAcc))} vs ${pct(ste)})`,
      });
    const claims = [
      checkClaim({
        id: 'qcgd-feasible',
        statement: "QCGD's output satisfies every constraint (the forward pass equals the model's indicator choices), with no penalty to tune",
        expected: 'max violation ≤ 1e-9 (round-off) over all QCGD runs',
        value: qc.length ? Math.max(...qc.map((x) => x.maxViolation ?? Infinity)) : undefined,
        holds: (v) => v <= 1e-9,
        format: (v) =>
          `max violation ${v} over ${qc.length} runs; raw oracle points feasible: ${qc.reduce((s, x) => s + (x.oracleFeasible ?? 0), 0)}/${qc.length * c.qcgdIterations}`,
      }),
      checkClaim({
        id: 'penalty-swing',
        statement: 'penalty-QUBO: feasibility or accuracy swings with the penalty P',
        expected: 'feasible-fraction range ≥ 0.5 or accuracy range ≥ 0.05 across P',
        value: swing,
        holds: (v) => v.feas >= 0.5 || v.acc >= 0.05,
        format: (v) =>
          `feasible fraction range ${v.feas.toFixed(2)}, test accuracy range ${(100 * v.acc).toFixed(1)} points (${pen.map((x) => `P=${x.p}: ${x.feas.toFixed(2)} feasible, ${pct(x.acc)}`).join('; ')})`,
      }),
      within('qcgd (one-hot)'),
      within('qcgd (offset-binary)'),
      within('ph'),
    ];
    const traceRows = r.rows
      .filter((x) => x.trace && x.seed === 0)
      .flatMap((x) => x.trace!.map((p) => ({ method: x.method, t: p.t, objective: p.objective, residual: p.residual })));
    return {
      title: 'Ternary networks by binary optimization',
      summary: `Task: ${c.dataset} classes ${c.classes.join(' vs ')}, PCA to ${c.features} features in [−1, 1] plus a bias column; ${c.trainSize} training rows (the QCBO's samples; STE/float train on the same rows), ${c.testSize} test rows; network ${c.features}+1 → ${c.hidden} → 1, ternary weights, tanh hidden units as a ${c.actIntervals}-interval spline level, logistic margin loss as ${c.lossIntervals} levels. QCGD: ${c.qcgdIterations} CGAL iterations, SA oracle with ${c.oracleSweeps} sweeps${c.noisyOracleBits.length ? ` (also with the oracle's coefficients rounded to ${c.noisyOracleBits.join('/')} bits, no claim)` : ''}. Progressive hedging: scenarios of ${c.phScenarioSize} rows, ρ = ${c.phRho}, ${c.phIterations} rounds of ${c.phQcgdIterations}-iteration QCGD${c.phPolish ? " with greedy polish of each scenario's weights" : ''}. "polished" = QCGD's output after greedy coordinate descent over the weights (classical local search, reported separately). Formulation, extraction and PH are our reconstruction (see src/methods/qubo-qnn/README.md).`,
      figures: traceRows.length
        ? [
            lineChart({
              id: 'qcgd-residual',
              title: 'QCGD: infeasibility of the averaged iterate ‖z − Proj𝒦(z)‖ (seed 0)',
              x: 't',
              y: 'residual',
              series: 'method',
              logX: true,
              logY: true,
              nonPositive: 'drop',
              data: traceRows,
            }),
            lineChart({
              id: 'qcgd-objective',
              title: 'QCGD: averaged objective ⟨C, Y_t⟩ (seed 0)',
              x: 't',
              y: 'objective',
              series: 'method',
              logX: true,
              data: traceRows,
            }),
          ]
        : [],
      tables: [
        {
          id: 'methods',
          title: 'Methods (means over seeds)',
          columns: ['method', 'train acc', 'test acc', 'train loss', 'feasible', 'max violation', 'variables', 'polished test acc', 'raw oracle feasible'],
          rows,
        },
      ],
      claims,
    };
  },
});
