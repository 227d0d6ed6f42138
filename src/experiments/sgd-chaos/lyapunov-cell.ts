/**
 * One Lyapunov run as a pure function `(cell, key) → row`: SGD (or CGD-neg) with the exact
 * mini-batch Hessian each step, finite-time Lyapunov exponents by Benettin QR in float64 over
 * consecutive windows of `window` steps (the frame Q carries over, the log sums restart), so the
 * count of positive exponents is a local measure that can fall as training converges.
 */
import { foldIn, type Key } from '../../tensor/prng.ts';
import type { Tree } from '../../tensor/tree.ts';
import { mlpLossGradHessian } from '../../methods/sgd-chaos/mlp-hessian.ts';
import { lyapunovExponents, lyapunovInit, lyapunovStep, positiveCount, projectedHessian } from '../../methods/sgd-chaos/lyapunov.ts';
import { denseEigenpairs } from '../../methods/sgd-chaos/spectrum.ts';
import { cgdDirection } from '../../methods/sgd-chaos/project.ts';
import { gather } from './data.ts';
import { runner, type RunSettings } from './train-cell.ts';

export interface LyapunovCell extends RunSettings {
  seed: number;
  mode: 'sgd' | 'neg';
  window: number;
}

export interface LyapunovWindow {
  /** Last step of the window. */
  step: number;
  positive: number;
  maxExponent: number;
  loss: number;
  acc: number;
}

export interface LyapunovRow {
  seed: number;
  mode: 'sgd' | 'neg';
  momentum: number;
  windows: LyapunovWindow[];
}

export function evaluateLyapunovCell(c: LyapunovCell, key: Key, onWindow?: (w: LyapunovWindow) => void): LyapunovRow {
  if (c.spectrum !== 'dense') throw new Error('lyapunov: needs the dense Hessian (spectrum: dense)');
  const r = runner(c, key);
  let theta = r.init(c.seed);
  const n = theta.length;
  const buf = new Float64Array(n);
  let ly = lyapunovInit(n, { momentum: c.momentum });
  const windows: LyapunovWindow[] = [];
  for (let t = 0; t < c.steps; t++) {
    const batch = gather(r.data, r.rows(c.seed, t));
    const h = mlpLossGradHessian(r.layout.unflatten(theta) as Tree, batch.x, batch.y);
    let d = h.grad;
    let hat = h.hessian;
    if (c.mode === 'neg') {
      const pairs = denseEigenpairs(h.hessian, n);
      const dir = cgdDirection(h.grad, pairs, { set: 'neg', lr: c.lr }, foldIn(foldIn(key, 5), c.seed * 1000003 + t));
      if (dir.direction) d = dir.direction;
      hat = projectedHessian(h.hessian, pairs.values, pairs.vectors, n, dir.pruned);
    }
    ly = lyapunovStep(ly, hat, c.lr);
    for (let i = 0; i < n; i++) buf[i] = t === 0 || c.momentum === 0 ? d[i]! : c.momentum * buf[i]! + d[i]!;
    theta = theta.map((v, i) => v - c.lr * buf[i]!);
    if (ly.steps === c.window || t === c.steps - 1) {
      const e = lyapunovExponents(ly);
      const w = { step: t + 1, positive: positiveCount(e), maxExponent: e[0]!, ...r.evaluate(theta) };
      windows.push(w);
      onWindow?.(w);
      ly = { ...ly, sums: new Float64Array(ly.sums.length), steps: 0 };
    }
  }
  return { seed: c.seed, mode: c.mode, momentum: c.momentum, windows };
}
