/**
 * Gibbs-averaged predictions: the mean of f_{W_k}(x) over the chain's tail. The window is
 * documented and tested: with K steps, the iterates W_k after steps k = K − ⌊tail·K⌋ + 1 … K
 * (default tail = 1/2, the notes' "last K/2 iterates"), every `thin`-th one counted back from
 * the last (k = K, K − thin, …), so the final iterate is always included.
 */
export interface GibbsWindowOptions {
  /** Fraction of the chain averaged over (0, 1], default 0.5. */
  tail?: number;
  /** Keep every thin-th iterate (default 1). */
  thin?: number;
}

/** The iterate indices k (1-based: W_k is the state after k updates) that are averaged, ascending. */
export function gibbsWindow(steps: number, o: GibbsWindowOptions = {}): number[] {
  if (!Number.isInteger(steps) || steps < 1) throw new Error(`gibbsWindow: steps must be an integer ≥ 1, got ${String(steps)}`);
  const tail = o.tail ?? 0.5;
  if (!(tail > 0 && tail <= 1)) throw new Error(`gibbsWindow: tail must be in (0, 1], got ${String(tail)}`);
  const thin = o.thin ?? 1;
  if (!Number.isInteger(thin) || thin < 1) throw new Error(`gibbsWindow: thin must be an integer ≥ 1, got ${String(thin)}`);
  const first = steps - Math.max(1, Math.floor(tail * steps)) + 1;
  const out: number[] = [];
  for (let k = steps; k >= first; k -= thin) out.push(k);
  return out.reverse();
}

/** Running mean of prediction vectors; `add` accepts only iterates inside the window. */
export class GibbsAverage {
  private readonly want: Set<number>;
  private sum: Float64Array | undefined;
  private count = 0;
  readonly window: readonly number[];
  constructor(steps: number, o: GibbsWindowOptions = {}) {
    this.window = gibbsWindow(steps, o);
    this.want = new Set(this.window);
  }
  /** True when iterate k is averaged (call predict only then: it is the expensive part). */
  wants(k: number): boolean {
    return this.want.has(k);
  }
  add(k: number, prediction: ArrayLike<number>): void {
    if (!this.want.has(k))
      throw new Error(
        `GibbsAverage: iterate ${k} is outside the window [${this.window[0]}, ${this.window.at(-1)}] (thin ${this.window.length > 1 ? this.window[1]! - this.window[0]! : 1})`,
      );
    if (!this.sum) this.sum = new Float64Array(prediction.length);
    if (prediction.length !== this.sum.length) throw new Error(`GibbsAverage: prediction length ${prediction.length} differs from ${this.sum.length}`);
    for (let i = 0; i < prediction.length; i++) this.sum[i] = this.sum[i]! + prediction[i]!;
    this.count++;
  }
  get samples(): number {
    return this.count;
  }
  mean(): Float64Array {
    if (!this.sum || this.count === 0) throw new Error('GibbsAverage: no iterate was added (the chain stopped before the window?)');
    return this.sum.map((s) => s / this.count);
  }
}
