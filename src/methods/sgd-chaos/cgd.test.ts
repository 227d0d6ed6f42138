import { test } from 'node:test';
import assert from 'node:assert/strict';
import { key, split } from '../../tensor/prng.ts';
import { normal, randint } from '../../tensor/random.ts';
import { softmaxCrossEntropy } from '../../tensor/composed.ts';
import { Tensor } from '../../tensor/tensor.ts';
import type { Tree } from '../../tensor/tree.ts';
import { mlp } from '../../nn/mlp.ts';
import { sgd } from '../../optim/aliases.ts';
import { makeTrainStep } from '../../train/train-step.ts';
import { denseMatrix } from '../../spectral/dense.ts';
import { hessianOperator } from '../../spectral/hessian-operator.ts';
import { treeLayout } from '../../spectral/flat.ts';
import { cgd, pruneCurvature } from './cgd.ts';
import { mlpLossGradHessian } from './mlp-hessian.ts';
import { pruneIndices } from './prune.ts';
import { cgdDirection } from './project.ts';
import { denseEigenpairs, lanczosEigenpairs } from './spectrum.ts';

const model = mlp({ sizes: [6, 5, 4] });
const [kp, kx, ky] = split(key(3), 3);
const batch = { x: normal(kx!, [8, 6]), y: randint(ky!, 0, 4, [8]) };

function run(opt: ReturnType<typeof sgd>, steps: number): Float64Array {
  const step = makeTrainStep({ model, optimizer: opt });
  let s = step.init(kp!);
  for (let t = 0; t < steps; t++) s = step(s, batch, key(100 + t)).state;
  return treeLayout(s.params).flatten(s.params);
}

test('CGD with an empty prune set (or before its start) equals SGD bit for bit; pruning changes it', () => {
  const ref = run(sgd(0.05), 4);
  assert.deepEqual(run(cgd({ set: 'none', lr: 0.05 }), 4), ref);
  assert.deepEqual(run(cgd({ set: 'neg', lr: 0.05, start: 10 }), 4), ref);
  const pruned = run(cgd({ set: 'neg', lr: 0.05 }), 4);
  assert.ok(
    pruned.some((v, i) => v !== ref[i]),
    'pruning the negative directions must change the trajectory',
  );
});

// f(θ) = ½θᵀAθ, A = [[1, 2], [2, 1]]: eigenpairs 3 ↔ (1,1)/√2 and −1 ↔ (1,−1)/√2; at θ = (1, 0), g = (1, 2).
const A = [
  [1, 2],
  [2, 1],
];
const quadCtx = (step = 0) => ({
  params: {},
  step,
  key: key(0),
  hvp: (v: Tree) => {
    const d = (v as { t: Tensor }).t.data;
    return { t: new Tensor(Float64Array.from([A[0]![0]! * d[0]! + A[0]![1]! * d[1]!, A[1]![0]! * d[0]! + A[1]![1]! * d[1]!]), [2], 'float64') };
  },
});
const g = { t: new Tensor(Float64Array.from([1, 2]), [2], 'float64') };
const close = (a: ArrayLike<number>, b: number[]) => b.forEach((x, i) => assert.ok(Math.abs(a[i]! - x) < 1e-14, `${Array.from(a)} vs ${b}`));

test('projection on a hand-built quadratic matches the by-hand result', () => {
  const upd = (o: Parameters<typeof pruneCurvature>[0]) => (pruneCurvature(o).update(g, {}, quadCtx())[0] as { t: Tensor }).t.data;
  // neg: remove (g·v₋)v₋ = (−1/√2)(1,−1)/√2 → (1.5, 1.5); pos: remove (3/√2)(1,1)/√2 → (−0.5, 0.5).
  close(upd({ set: 'neg', lr: 0.1 }), [1.5, 1.5]);
  close(upd({ set: 'pos', lr: 0.1 }), [-0.5, 0.5]);
  // chaotic at η = 0.1 (2/η = 20): only λ = −1 → as neg; at η = 1 (2/η = 2) λ = 3 is chaotic too → 0.
  close(upd({ set: 'chaotic', lr: 0.1 }), [1.5, 1.5]);
  close(upd({ set: 'chaotic', lr: 1 }), [0, 0]);
  // γ = 0.5 mixes: ½(1,2) + ½(1.5,1.5) = (1.25, 1.75).
  close(upd({ set: 'neg', lr: 0.1, gamma: 0.5 }), [1.25, 1.75]);
  // Lanczos with both ends (k = 1 of n = 2 ⇒ the whole spectrum) agrees.
  close(upd({ set: 'neg', lr: 0.1, spectrum: 'lanczos', lanczosK: 1 }), [1.5, 1.5]);
  // Noise lands only in the pruned direction (1,−1): g' − (1.5,1.5) ∥ (1,−1).
  const noisy = upd({ set: 'neg', lr: 0.1, noise: true, noiseScale: 1 });
  assert.ok(Math.abs(noisy[0]! - 1.5 + (noisy[1]! - 1.5)) < 1e-14 && Math.abs(noisy[0]! - 1.5) > 1e-6);
});

test('prune sets: λ = 0 kept by default (pruned with zero: prune), k most / random, random control size', () => {
  const lam = Float64Array.from([-3, -1, 0, 1e-18, 2, 50]);
  assert.deepEqual(pruneIndices(lam, { set: 'neg', lr: 0.1 }, key(0)), [0, 1]);
  assert.deepEqual(pruneIndices(lam, { set: 'neg', lr: 0.1, zero: 'prune' }, key(0)), [0, 1, 2, 3]);
  assert.deepEqual(pruneIndices(lam, { set: 'chaotic', lr: 0.1 }, key(0)), [0, 1, 5]);
  assert.deepEqual(pruneIndices(lam, { set: 'pos', lr: 0.1 }, key(0)), [4, 5]);
  assert.deepEqual(pruneIndices(lam, { set: 'neg', lr: 0.1, k: 1 }, key(0)), [0]);
  assert.deepEqual(pruneIndices(lam, { set: 'chaotic', lr: 0.1, k: 1 }, key(0)), [5]);
  const r = pruneIndices(lam, { set: 'neg', lr: 0.1, k: 1, kMode: 'random' }, key(1));
  assert.ok(r.length === 1 && (r[0] === 0 || r[0] === 1));
  const ctl = pruneIndices(lam, { set: 'random', lr: 0.1 }, key(2));
  assert.equal(ctl.length, 2);
  assert.equal(new Set(ctl).size, 2);
});

test('the exact MLP Hessian equals n HVPs (spectral.denseMatrix) and the loss/gradient agree', () => {
  const m2 = mlp({ sizes: [4, 6, 5, 3] });
  const p = m2.init(key(7));
  const b = { x: normal(key(8), [8, 4]), y: randint(key(9), 0, 3, [8]) };
  const lossFn = (q: typeof p, bb: typeof b) => softmaxCrossEntropy(m2.apply(q, bb.x), bb.y);
  const ref = denseMatrix(hessianOperator(lossFn, p, b)).matrix;
  const r = mlpLossGradHessian(p, b.x, b.y);
  let err = 0,
    mx = 0;
  for (let i = 0; i < ref.length; i++) {
    err = Math.max(err, Math.abs(ref[i]! - r.hessian[i]!));
    mx = Math.max(mx, Math.abs(ref[i]!));
  }
  assert.ok(mx > 1e-3 && err < 1e-13 * Math.max(1, mx), `max error ${err}`);
  assert.ok(Math.abs(r.loss - lossFn(p, b).item()) < 1e-14);
});

test('Lanczos top-k (both ends) recovers the extreme dense eigenpairs of the mini-batch Hessian', () => {
  const p = model.init(kp!);
  const { hessian, n } = mlpLossGradHessian(p, batch.x, batch.y);
  const dense = denseEigenpairs(hessian, n);
  const hv = (v: Float64Array) => {
    const o = new Float64Array(n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) o[i]! += hessian[i * n + j]! * v[j]!;
    return o;
  };
  const lz = lanczosEigenpairs(hv, n, { k: 3, key: key(1) });
  const lo = Array.from(lz.values).sort((a, b) => a - b);
  assert.ok(
    Math.abs(lo[0]! - dense.values[0]!) < 1e-8 && Math.abs(lo.at(-1)! - dense.values[n - 1]!) < 1e-8,
    `${lo} vs ${dense.values[0]}, ${dense.values[n - 1]}`,
  );
});

test('bad input: k larger than the parameter count, a non-finite probe, bad options', () => {
  assert.throws(() => pruneCurvature({ set: 'neg', lr: 0.1, k: 3 }).update(g, {}, quadCtx()), /k = 3 is larger than the parameter count 2/);
  const nanCtx = { ...quadCtx(), hvp: (_v: Tree) => ({ t: new Tensor(Float64Array.from([NaN, 0]), [2], 'float64') }) as Tree };
  assert.throws(() => pruneCurvature({ set: 'neg', lr: 0.1 }).update(g, {}, nanCtx), /non-finite/);
  assert.throws(() => pruneCurvature({ set: 'bogus' as never, lr: 0.1 }), /prune set must be/);
  assert.throws(() => pruneCurvature({ set: 'neg', lr: -1 }), /lr must be a positive number/);
  assert.throws(() => lanczosEigenpairs((v) => v, 4, { k: 5, key: key(0) }), /k = 5 is larger than the parameter count 4/);
  assert.throws(
    () => cgdDirection(Float64Array.from([NaN, 1]), denseEigenpairs(Float64Array.from([1, 0, 0, 1]), 2), { set: 'neg', lr: 0.1 }),
    /gradient is not finite/,
  );
  assert.throws(
    () =>
      mlpLossGradHessian(
        model.init(kp!),
        new Tensor(Float64Array.from([NaN, 0, 0, 0, 0, 0]), [1, 6], 'float64'),
        new Tensor(Int32Array.from([0]), [1], 'int32'),
      ),
    /non-finite/,
  );
});
