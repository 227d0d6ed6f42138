/**
 * One divergence run as a pure function `(cell, key) → row`: Lyapunov vectors from the first
 * `lyapunovSteps` SGD steps of the reference (exact mini-batch Hessians, rescaled product), then a
 * reference and five twins perturbed at initialization (ε relative to ‖θ₀‖) along max-chaos /
 * random-chaos / max-convergence / random-convergence / random directions, trained by plain SGD.
 * Every model fetches its own batch rows from (seed, step) — the same seed gives the same batch
 * order — and a checksum of what each saw is returned so tests can check they match.
 */
import { foldIn, type Key } from '../../tensor/prng.ts';
import { valueAndGrad } from '../../tensor/transforms.ts';
import type { Tree } from '../../tensor/tree.ts';
import { mlpLossGradHessian } from '../../methods/sgd-chaos/mlp-hessian.ts';
import {
  DIRECTIONS,
  directionKey,
  distance,
  lyapunovVectors,
  perturbationDirection,
  perturbFlat,
  productInit,
  productStep,
  type DirectionKind,
} from '../../methods/sgd-chaos/divergence.ts';
import { fitDivergence, type DivergenceFit } from '../../methods/sgd-chaos/fit.ts';
import { gather } from './data.ts';
import { runner, type RunSettings } from './train-cell.ts';

export interface DivergenceCell extends RunSettings {
  seed: number;
  eps: number;
  lyapunovSteps: number;
  logEvery: number;
  /** The plateau: first logged step with train accuracy ≥ final accuracy − plateauTol. */
  plateauTol: number;
}

export interface DirectionCurve {
  kind: DirectionKind;
  curve: { step: number; d: number }[];
  /** d² = a·t' + b·t'² + d(plateau)², t' = steps since the plateau. */
  fit: DivergenceFit;
  dPlateau: number;
  dEnd: number;
}

export interface DivergenceRow {
  seed: number;
  eps: number;
  d0: number;
  plateauStep: number;
  reference: { step: number; loss: number; acc: number }[];
  directions: DirectionCurve[];
  /** Product exponents > 0 over the probe (chaotic directions at init). */
  chaoticAtInit: number;
  batchChecksums: number[];
}

export function evaluateDivergenceCell(c: DivergenceCell, key: Key, onLog?: (rec: Record<string, number>) => void): DivergenceRow {
  if (!(c.eps > 0) || !Number.isFinite(c.eps)) throw new Error(`divergence: eps must be a finite number > 0, got ${c.eps}`);
  if (c.spectrum !== 'dense') throw new Error('divergence: the Lyapunov vectors need the dense Hessian (spectrum: dense)');
  const r = runner(c, key);
  const theta0 = r.init(c.seed);
  const n = theta0.length;
  const sgdStep = (theta: Float64Array, batch: ReturnType<typeof gather>): Float64Array => {
    const { value, grads } = valueAndGrad((p: Tree) => r.loss(p, batch))(r.layout.unflatten(theta) as Tree);
    if (!Number.isFinite(value.item())) throw new Error(`divergence: the loss became ${value.item()} (non-finite)`);
    const g = r.layout.flatten(grads);
    return theta.map((v, i) => v - c.lr * g[i]!);
  };
  // Lyapunov probe on the reference trajectory.
  let prod = productInit(n);
  let probe = theta0;
  for (let t = 0; t < c.lyapunovSteps; t++) {
    const batch = gather(r.data, r.rows(c.seed, t));
    const h = mlpLossGradHessian(r.layout.unflatten(probe) as Tree, batch.x, batch.y);
    prod = productStep(prod, h.hessian, c.lr);
    probe = probe.map((v, i) => v - c.lr * h.grad[i]!);
  }
  const lv = lyapunovVectors(prod);
  const chaoticAtInit = lv.exponents.filter((e) => e > 0).length;
  const dirKey = foldIn(foldIn(key, 4), c.seed);
  let models = [theta0, ...DIRECTIONS.map((kind) => perturbFlat(theta0, perturbationDirection(kind, lv, directionKey(dirKey, kind)), c.eps))];
  const d0 = distance(models[0]!, models[1]!);
  const checksums = models.map(() => 0);
  const curves = DIRECTIONS.map(() => [] as { step: number; d: number }[]);
  const reference: DivergenceRow['reference'] = [];
  const log = (t: number) => {
    const e = r.evaluate(models[0]!);
    reference.push({ step: t, ...e });
    const rec: Record<string, number> = { step: t, acc: e.acc, loss: e.loss };
    DIRECTIONS.forEach((kind, k) => {
      const d = distance(models[0]!, models[k + 1]!);
      curves[k]!.push({ step: t, d });
      rec[kind] = d;
    });
    onLog?.(rec);
  };
  for (let t = 0; t < c.steps; t++) {
    if (t % c.logEvery === 0) log(t);
    models = models.map((theta, m) => {
      const rows = r.rows(c.seed, t); // each model fetches its own batch
      checksums[m] = (checksums[m]! * 31 + rows.reduce((s, x, i) => s + x * (i + 1), 0)) % 2147483647;
      return sgdStep(theta, gather(r.data, rows));
    });
  }
  log(c.steps);
  const finalAcc = reference.at(-1)!.acc;
  const pIdx = Math.max(
    0,
    reference.findIndex((p) => p.acc >= finalAcc - c.plateauTol),
  );
  const plateauStep = reference[pIdx]!.step;
  const directions = DIRECTIONS.map((kind, k) => {
    const curve = curves[k]!;
    const after = curve.slice(pIdx);
    const dPlateau = after[0]!.d;
    const fit =
      after.length >= 3
        ? fitDivergence(
            after.map((p) => p.step - plateauStep),
            after.map((p) => p.d),
            dPlateau,
          )
        : { a: NaN, b: NaN, d0: dPlateau, r2: NaN, points: after.length };
    return { kind, curve, fit, dPlateau, dEnd: curve.at(-1)!.d };
  });
  return { seed: c.seed, eps: c.eps, d0, plateauStep, reference, directions, chaoticAtInit, batchChecksums: checksums };
}
