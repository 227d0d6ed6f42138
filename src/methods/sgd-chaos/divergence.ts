/**
 * The divergence experiment's pieces: Lyapunov vectors of a reference run, the five initial
 * perturbation directions, the perturbation itself and the distance between twins.
 *
 * Lyapunov vectors: the right singular vectors of Y_T = Π_t (I − ηĤ_t) over the first T steps of
 * the reference run (the reference code's eigenvectors of Y_TᵀY_T). Y is rescaled by a scalar each
 * step (which leaves singular vectors alone) and the scale kept in log space, so nothing over- or
 * underflows; σ_i·e^{logScale} > 1 marks a chaotic (expanding) direction.
 */
import { matmul } from '../../tensor/ops.ts';
import { Tensor } from '../../tensor/tensor.ts';
import { svd } from '../../linalg/index.ts';
import * as random from '../../tensor/random.ts';
import type { Key } from '../../tensor/prng.ts';
import { normals } from './rng.ts';

export interface ProductState {
  n: number;
  /** Row-major n×n, max |entry| = 1. */
  y: Float64Array;
  logScale: number;
  steps: number;
}

export function productInit(n: number): ProductState {
  if (!Number.isInteger(n) || n < 1) throw new Error(`productInit: n must be a positive integer, got ${n}`);
  const y = new Float64Array(n * n);
  for (let i = 0; i < n; i++) y[i * n + i] = 1;
  return { n, y, logScale: 0, steps: 0 };
}

/** Y ← (I − ηĤ)Y. */
export function productStep(s: ProductState, hessian: Float64Array, lr: number): ProductState {
  const { n } = s;
  if (hessian.length !== n * n) throw new Error(`productStep: the Hessian has ${hessian.length} entries, expected ${n}×${n}`);
  const hy = matmul(new Tensor(hessian, [n, n], 'float64'), new Tensor(s.y, [n, n], 'float64')).data;
  const y = new Float64Array(n * n);
  let mx = 0;
  for (let i = 0; i < y.length; i++) {
    y[i] = s.y[i]! - lr * hy[i]!;
    mx = Math.max(mx, Math.abs(y[i]!));
  }
  if (!(mx > 0) || !Number.isFinite(mx))
    throw new Error(`productStep: the product became ${mx === 0 ? 'zero' : 'non-finite'} (a non-finite or singular probe)`);
  for (let i = 0; i < y.length; i++) y[i]! /= mx;
  return { n, y, logScale: s.logScale + Math.log(mx), steps: s.steps + 1 };
}

export interface LyapunovVectors {
  n: number;
  /** (1/T)·log σ_i, descending (finite-time exponents). */
  exponents: Float64Array;
  /** Row i = right singular vector i (unit), matching exponents[i]. */
  vectors: Float64Array;
}

export function lyapunovVectors(s: ProductState): LyapunovVectors {
  if (s.steps === 0) throw new Error('lyapunovVectors: no steps taken yet');
  const { n } = s;
  const { S, V } = svd(new Tensor(s.y, [n, n], 'float64'));
  const vd = V.data;
  const vectors = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) vectors[i * n + j] = vd[j * n + i]!;
  const exponents = Float64Array.from(S.data, (sv) => (Math.log(Math.max(sv, 1e-300)) + s.logScale) / s.steps);
  return { n, exponents, vectors };
}

export const DIRECTIONS = ['max-chaos', 'random-chaos', 'max-convergence', 'random-convergence', 'random'] as const;
export type DirectionKind = (typeof DIRECTIONS)[number];

/** A unit perturbation direction of the given kind (random ones from `key`). */
export function perturbationDirection(kind: DirectionKind, lv: LyapunovVectors, key: Key): Float64Array {
  const { n, exponents, vectors } = lv;
  const combo = (rows: number[], what: string): Float64Array => {
    if (rows.length === 0) throw new Error(`perturbationDirection: there are no ${what} directions (every exponent is ${what === 'chaotic' ? '≤' : '≥'} 0)`);
    const c = normals(key, rows.length);
    const v = new Float64Array(n);
    rows.forEach((r, q) => {
      for (let j = 0; j < n; j++) v[j]! += c[q]! * vectors[r * n + j]!;
    });
    return v;
  };
  const idx = [...exponents.keys()];
  let v: Float64Array;
  switch (kind) {
    case 'max-chaos':
      v = vectors.slice(0, n);
      break;
    case 'max-convergence':
      v = vectors.slice((n - 1) * n, n * n);
      break;
    case 'random-chaos':
      v = combo(
        idx.filter((i) => exponents[i]! > 0),
        'chaotic',
      );
      break;
    case 'random-convergence':
      v = combo(
        idx.filter((i) => exponents[i]! < 0),
        'converging',
      );
      break;
    case 'random':
      v = normals(key, n);
      break;
    default:
      throw new Error(`perturbationDirection: unknown kind ${String(kind)} (${DIRECTIONS.join(', ')})`);
  }
  return unit(v);
}

function unit(v: Float64Array): Float64Array {
  let s = 0;
  for (const x of v) s += x * x;
  const norm = Math.sqrt(s);
  if (!(norm > 0)) throw new Error('perturbationDirection: the direction is zero');
  return v.map((x) => x / norm);
}

/**
 * θ + ε·‖θ‖·v/‖v‖ on the flattened parameter vector as a whole (ε relative to ‖θ‖; the reference
 * code normalizes each tensor separately, so its total distance is ε·√#tensors).
 */
export function perturbFlat(theta: Float64Array, direction: Float64Array, eps: number): Float64Array {
  const R = 'perturbFlat';
  if (!(eps > 0) || !Number.isFinite(eps)) throw new Error(`${R}: ε must be a finite number > 0, got ${eps}`);
  if (direction.length !== theta.length) throw new Error(`${R}: the direction has ${direction.length} entries, the parameters ${theta.length}`);
  let tn = 0,
    dn = 0;
  for (let i = 0; i < theta.length; i++) {
    tn += theta[i]! ** 2;
    dn += direction[i]! ** 2;
  }
  if (!(dn > 0)) throw new Error(`${R}: the direction is zero`);
  const f = (eps * Math.sqrt(tn)) / Math.sqrt(dn);
  return theta.map((x, i) => x + f * direction[i]!);
}

export function distance(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i]! - b[i]!) ** 2;
  return Math.sqrt(s);
}

/** Independent keys for the five directions (so adding a kind does not change the others). */
export function directionKey(key: Key, kind: DirectionKind): Key {
  return random.foldIn(key, DIRECTIONS.indexOf(kind));
}
