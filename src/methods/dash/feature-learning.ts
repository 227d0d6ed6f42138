/**
 * The paper's discrete feature-learning framework (§4, official Discrete_Feature_Learning.ipynb) as
 * an integer simulator. C classes with F features each; feature f of its class is present in a
 * point with probability p_f ~ U(0, pMax) (sorted). Learning on a set of points: while the most
 * frequent *unlearned* feature among the non-zero-gradient (active) points occurs ≥ γ times, learn
 * it; a point becomes inactive once it holds ≥ τ learned features of its class. Active points left
 * when learning stops are memorized (inactive too). Test: a point with ≥ τ learned features of its
 * class is right, otherwise right with probability 1/C (we use that expectation, no coin).
 *
 * - cold: relearns from scratch on all the data so far.
 * - warm: keeps learned features and memorized points; only new points can be active.
 * - ideal: keeps learned features, forgets memorized points (every point with < τ learned features is active).
 *
 * Cost proxy per experiment: the non-zero-gradient points when it starts (what a gradient step
 * pays for; summed over experiments it is the notebook's "Σ non-zero-gradient points" as we read
 * it [recon]). With the defaults ideal/cold ≈ 0.10 (the paper: about 1/7).
 */
import * as random from '../../tensor/random.ts';
import type { Key } from '../../tensor/prng.ts';

export interface FeatureLearningConfig {
  /** New points per experiment (N). */
  pointsPerChunk: number;
  /** Experiments (J). */
  chunks: number;
  classes: number;
  featuresPerClass: number;
  /** Feature probabilities ~ U(0, pMax). */
  pMax: number;
  /** Learn a feature while it occurs ≥ γ times among active points. */
  gamma: number;
  /** A point is explained (zero gradient) with ≥ τ learned features. */
  tau: number;
  testPoints: number;
}

export const FEATURE_LEARNING_DEFAULTS: FeatureLearningConfig = {
  pointsPerChunk: 1000,
  chunks: 50,
  classes: 2,
  featuresPerClass: 50,
  pMax: 0.2,
  gamma: 50,
  tau: 3,
  testPoints: 2000,
};

export const SIM_STRATEGIES = ['cold', 'warm', 'ideal'] as const;
export type SimStrategy = (typeof SIM_STRATEGIES)[number];

export interface SimRow {
  strategy: SimStrategy;
  experiment: number;
  testAccuracy: number;
  learnedFeatures: number;
  cost: number;
}

/** Points as lists of global feature ids (class c's features are c·F … c·F + F − 1). */
interface Points {
  cls: Int32Array;
  feats: Int32Array[];
}

function samplePoints(n: number, probs: Float64Array, c: FeatureLearningConfig, key: Key, offset: number): Points {
  const F = c.featuresPerClass;
  const u = random.uniform(key, [n, F]).data;
  const cls = new Int32Array(n);
  const feats: Int32Array[] = [];
  for (let i = 0; i < n; i++) {
    const k = (offset + i) % c.classes;
    cls[i] = k;
    const f: number[] = [];
    for (let t = 0; t < F; t++) if (u[i * F + t]! < probs[k * F + t]!) f.push(k * F + t);
    feats.push(Int32Array.from(f));
  }
  return { cls, feats };
}

/** Learns on the active points (mutating learned/active); returns the active points at the start and Σ active over rounds. */
function learn(points: Points, active: Uint8Array, learned: Uint8Array, c: FeatureLearningConfig): { start: number; rounds: number } {
  const nF = c.classes * c.featuresPerClass;
  const counts = new Int32Array(nF);
  const holders: number[][] = Array.from({ length: nF }, () => []);
  const nLearned = new Int32Array(points.feats.length);
  let nActive = 0;
  for (let i = 0; i < points.feats.length; i++) {
    for (const f of points.feats[i]!) {
      if (learned[f]) nLearned[i]!++;
      holders[f]!.push(i);
    }
    if (active[i] && nLearned[i]! >= c.tau) active[i] = 0;
    if (active[i]) {
      nActive++;
      for (const f of points.feats[i]!) counts[f]!++;
    }
  }
  const start = nActive;
  let cost = 0;
  for (;;) {
    cost += nActive;
    let best = -1;
    for (let f = 0; f < nF; f++) if (!learned[f] && (best < 0 || counts[f]! > counts[best]!)) best = f;
    if (best < 0 || counts[best]! < c.gamma) break;
    learned[best] = 1;
    for (const i of holders[best]!) {
      nLearned[i]!++;
      if (active[i] && nLearned[i]! >= c.tau) {
        active[i] = 0;
        nActive--;
        for (const f of points.feats[i]!) counts[f]!--;
      }
    }
  }
  // What is still active is memorized: it no longer has a gradient either.
  active.fill(0);
  return { start, rounds: cost };
}

function testAccuracy(test: Points, learned: Uint8Array, c: FeatureLearningConfig): number {
  let ok = 0;
  for (const f of test.feats) {
    let k = 0;
    for (const g of f) if (learned[g]) k++;
    ok += k >= c.tau ? 1 : 1 / c.classes;
  }
  return ok / test.feats.length;
}

export function checkFeatureLearningConfig(c: FeatureLearningConfig): void {
  for (const k of ['pointsPerChunk', 'chunks', 'classes', 'featuresPerClass', 'gamma', 'tau', 'testPoints'] as const) {
    if (!Number.isInteger(c[k]) || c[k] < 1) throw new Error(`feature-learning: ${k} must be a positive integer, got ${String(c[k])}`);
  }
  if (c.classes < 2) throw new Error(`feature-learning: classes must be at least 2, got ${c.classes}`);
  if (!(c.pMax > 0 && c.pMax <= 1)) throw new Error(`feature-learning: pMax must be in (0, 1], got ${String(c.pMax)}`);
}

/** One seed of all three strategies on the same data. */
export function simulateFeatureLearning(c: FeatureLearningConfig, key: Key): SimRow[] {
  checkFeatureLearningConfig(c);
  const nF = c.classes * c.featuresPerClass;
  const [kProb, kData, kTest] = random.split(key, 3) as [Key, Key, Key];
  const raw = random.uniform(kProb, [c.classes, c.featuresPerClass], { high: c.pMax }).data;
  const probs = new Float64Array(nF);
  for (let k = 0; k < c.classes; k++) {
    const row = Array.from(raw.subarray(k * c.featuresPerClass, (k + 1) * c.featuresPerClass)).sort((a, b) => b - a);
    probs.set(row, k * c.featuresPerClass);
  }
  const chunks = Array.from({ length: c.chunks }, (_, j) => samplePoints(c.pointsPerChunk, probs, c, random.foldIn(kData, j), j * c.pointsPerChunk));
  const test = samplePoints(c.testPoints, probs, c, kTest, 0);
  const rows: SimRow[] = [];
  const warm = { learned: new Uint8Array(nF), memorizedOrExplained: [] as Uint8Array[] };
  const idealLearned = new Uint8Array(nF);
  for (let j = 0; j < c.chunks; j++) {
    const all: Points = { cls: new Int32Array(0), feats: chunks.slice(0, j + 1).flatMap((p) => p.feats) };
    const n = all.feats.length;
    const count = (l: Uint8Array): number => l.reduce((a, b) => a + b, 0);
    // cold: everything from scratch.
    const coldLearned = new Uint8Array(nF);
    const coldCost = learn(all, new Uint8Array(n).fill(1), coldLearned, c);
    rows.push({ strategy: 'cold', experiment: j, testAccuracy: testAccuracy(test, coldLearned, c), learnedFeatures: count(coldLearned), cost: coldCost.start });
    // warm: only the new chunk's points can be active.
    const wActive = new Uint8Array(n);
    wActive.fill(1, n - c.pointsPerChunk);
    const warmCost = learn(all, wActive, warm.learned, c);
    rows.push({
      strategy: 'warm',
      experiment: j,
      testAccuracy: testAccuracy(test, warm.learned, c),
      learnedFeatures: count(warm.learned),
      cost: warmCost.start,
    });
    // ideal: memorized points forgotten, so every point not explained by the learned features is active.
    const idealCost = learn(all, new Uint8Array(n).fill(1), idealLearned, c);
    rows.push({
      strategy: 'ideal',
      experiment: j,
      testAccuracy: testAccuracy(test, idealLearned, c),
      learnedFeatures: count(idealLearned),
      cost: idealCost.start,
    });
  }
  return rows;
}
