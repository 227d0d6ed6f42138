/**
 * What a long-running custom loop needs to stay responsive: `await control.tick(info)` after each
 * unit of work yields to the event loop once `budgetMs` of work has passed (so Ctrl-C, timers and
 * I/O are served), reports progress at most every `progressEveryMs`, and says whether the abort
 * signal fired (stop at this boundary, state intact). `trainAsync` runs on it.
 *
 *   const control = loopControl({ signal, onProgress: (p) => console.log(p.step) });
 *   for (let s = 0; s < steps; s++) {
 *     ({ state } = step(state, batcher.at(s), random.foldIn(key, s)));
 *     if (await control.tick({ step: s + 1, total: steps })) break; // aborted
 *   }
 */
export interface LoopProgress {
  step: number;
  total?: number;
  [field: string]: unknown;
}

export interface LoopControlOptions {
  signal?: AbortSignal;
  /** Work time between yields to the event loop, in ms. Default 50. */
  budgetMs?: number;
  onProgress?: (p: LoopProgress) => void;
  /** Least time between two progress reports, in ms (the last report is always delivered by `flush`). Default 250. */
  progressEveryMs?: number;
}

export interface LoopControl {
  /** True once the signal has fired. */
  readonly aborted: boolean;
  /** Records progress, yields when the time budget is spent; resolves to `aborted`. */
  tick(progress?: LoopProgress): Promise<boolean>;
  /** Delivers the latest progress now, if any was held back. */
  flush(): void;
}

export function loopControl(o: LoopControlOptions = {}): LoopControl {
  const budget = o.budgetMs ?? 50;
  const every = o.progressEveryMs ?? 250;
  if (!(budget >= 0) || !(every >= 0))
    throw new Error(`loopControl: budgetMs and progressEveryMs must be numbers ≥ 0, got ${String(o.budgetMs)} and ${String(o.progressEveryMs)}`);
  let lastYield = performance.now();
  let lastReport = -Infinity;
  let pending: LoopProgress | undefined;
  const report = (now: number): void => {
    if (pending && o.onProgress) o.onProgress(pending);
    pending = undefined;
    lastReport = now;
  };
  return {
    get aborted() {
      return o.signal?.aborted ?? false;
    },
    async tick(progress) {
      if (progress) pending = progress;
      const now = performance.now();
      if (pending && now - lastReport >= every) report(now);
      if (now - lastYield >= budget) {
        await new Promise((resolve) => setImmediate(resolve));
        lastYield = performance.now();
      }
      return o.signal?.aborted ?? false;
    },
    flush() {
      report(performance.now());
    },
  };
}
