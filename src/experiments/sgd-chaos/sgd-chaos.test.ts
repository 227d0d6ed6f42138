import { test } from 'node:test';
import assert from 'node:assert/strict';
import { key } from '../../tensor/prng.ts';
import { mlp } from '../../nn/mlp.ts';
import { makeTrainStep } from '../../train/train-step.ts';
import { cgd } from '../../methods/sgd-chaos/cgd.ts';
import type { RunIO } from '../experiment.ts';
import { evaluateDivergenceCell } from './divergence-cell.ts';
import { evaluateTrainCell, runner, type TrainCell, type TrainRow } from './train-cell.ts';
import { gather } from './data.ts';
import { prunedSgd, prunedSgdCells } from './pruned-sgd.ts';
import { divergence } from './divergence.ts';
import { lyapunov } from './lyapunov.ts';

const io = (): RunIO => ({ seed: 0, key: key(0), log() {}, progress() {}, signal: new AbortController().signal, stage: async (_n, fn) => fn('') });
const small = {
  trainSize: 200,
  evalSize: 100,
  features: 16,
  hidden: [6],
  lr: 0.02,
  batch: 8,
  steps: 12,
  evalEvery: 6,
  momentum: 0,
  spectrum: 'dense' as const,
  lanczosK: 5,
};

test('divergence: the reference and every twin see identical batches; another seed sees others', async () => {
  const cell = { ...small, steps: 30, seed: 0, eps: 1e-3, lyapunovSteps: 5, logEvery: 10, plateauTol: 0.05 };
  const a = evaluateDivergenceCell(cell, key(0));
  assert.equal(a.batchChecksums.length, 6);
  assert.ok(
    a.batchChecksums.every((c) => c === a.batchChecksums[0]),
    JSON.stringify(a.batchChecksums),
  );
  const b = evaluateDivergenceCell({ ...cell, seed: 1 }, key(0));
  assert.notEqual(b.batchChecksums[0], a.batchChecksums[0]);
  // ε is relative to ‖θ₀‖ over the whole flattened vector: every twin starts at the same distance.
  const r = runner(cell, key(0));
  const theta = r.init(0);
  const norm = Math.hypot(...theta);
  for (const d of a.directions) assert.ok(Math.abs(d.curve[0]!.d - 1e-3 * norm) < 1e-12 * norm, d.kind);
  assert.throws(() => evaluateDivergenceCell({ ...cell, eps: 0 }, key(0)), /eps must be a finite number > 0, got 0/);
  await assert.rejects(
    () => divergence.run(divergence.config.parse({ ...divergence.presets.smoke, eps: [-1e-3] }), io()),
    /every eps must be a finite number > 0/,
  );
});

test('the experiment loop (exact Hessian + eigh) takes the same steps as the trainer with cgd() on ctx.hvp', () => {
  const cell: TrainCell = { ...small, steps: 5, mode: 'neg', seed: 0, start: 0 };
  const row = evaluateTrainCell({ ...cell, evalEvery: 1 }, key(0));
  const r = runner(cell, key(0));
  const model = mlp({ sizes: r.sizes });
  const step = makeTrainStep({ model, optimizer: cgd({ set: 'neg', lr: cell.lr }) });
  let s = step.init({ params: r.layout.unflatten(r.init(0)) as never });
  for (let t = 0; t < cell.steps; t++) {
    s = step(s, gather(r.data, r.rows(0, t)), key(t)).state;
    const e = r.evaluate(r.layout.flatten(s.params));
    assert.ok(Math.abs(e.loss - row.curve[t + 1]!.loss) < 1e-9, `step ${t}: ${e.loss} vs ${row.curve[t + 1]!.loss}`);
  }
});

test('pruned-sgd: the grid is an explicit cell list; claims pass and fail on constructed rows', async () => {
  const c = prunedSgd.config.parse({ ...prunedSgd.presets.smoke, seeds: 2, starts: [0, 20] });
  const cells = prunedSgdCells(c);
  assert.equal(cells.length, 5 * 2 + 2);
  const mk = (mode: TrainRow['mode'], seed: number, start: number, loss: number): TrainRow => ({
    mode,
    seed,
    start,
    curve: [{ step: 0, loss, acc: 0.5 }],
    finalLoss: loss,
    finalAcc: 0.5,
    meanPruned: 1,
  });
  const good = [
    mk('sgd', 0, 0, 1.0),
    mk('sgd', 1, 0, 1.02),
    mk('neg', 0, 0, 1.5),
    mk('neg', 1, 0, 1.52),
    mk('random', 0, 0, 1.1),
    mk('random', 1, 0, 1.1),
    mk('neg', 0, 20, 1.2),
    mk('neg', 1, 20, 1.2),
  ];
  assert.deepEqual(
    prunedSgd.report({ rows: good }, c).claims.map((x) => x.pass),
    [true, true, true],
  );
  const bad = good.map((x) => (x.mode === 'neg' && x.start === 0 ? { ...x, finalLoss: 1.03 } : x));
  assert.deepEqual(
    prunedSgd.report({ rows: bad }, c).claims.map((x) => x.pass),
    [false, false, false],
  );
});

test('every sgd-chaos smoke preset runs and reports its claims (pass/fail/not evaluated, never thrown)', async () => {
  for (const exp of [prunedSgd, divergence, lyapunov] as const) {
    const c = (exp.config as unknown as { parse(v: unknown): unknown }).parse(exp.presets.smoke);
    const res = await (exp as unknown as { run(c: unknown, io: RunIO): Promise<unknown> }).run(c, io());
    const rep = (exp as unknown as { report(r: unknown, c: unknown): { claims: { pass: boolean | null }[] } }).report(res, c);
    assert.ok(rep.claims.length >= 1, exp.id);
    for (const cl of rep.claims) assert.ok(cl.pass === true || cl.pass === false || cl.pass === null, exp.id);
  }
});
