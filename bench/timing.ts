/** Median milliseconds per call of `fn` over `reps` timed runs, after `warmup` untimed ones (JIT settling). */
export function medianMs(fn: () => void, reps: number, warmup = 2): number {
  return sortedSamples(fn, reps, warmup)[Math.floor(reps / 2)]!;
}

/**
 * Best (minimum) milliseconds per call over `reps` timed runs after `warmup` untimed ones. On a
 * shared 2-core VM other tenants only ever add time, in bursts that can cover a whole median, so
 * the best run is the stable estimate of what the code costs; `npm run bench` and bench/torch.py
 * both report it, so ratios compare like with like.
 */
export function bestMs(fn: () => void, reps: number, warmup = 2): number {
  return sortedSamples(fn, reps, warmup)[0]!;
}

function sortedSamples(fn: () => void, reps: number, warmup: number): number[] {
  for (let i = 0; i < warmup; i++) fn();
  const samples: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    fn();
    samples.push(performance.now() - t0);
  }
  return samples.sort((a, b) => a - b);
}
