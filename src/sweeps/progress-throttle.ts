/**
 * At most one progress message per interval (plus every stage change and stage end): a cell
 * reports every step, and a message per step cost ≈ 0.15 ms on each side, a tenth of a small
 * cell's time, for a terminal that redraws a few times a second anyway.
 */
import type { ProgressUpdate } from '../experiments/experiment.ts';

export const PROGRESS_MS = 100;

export function throttledProgress(post: (u: ProgressUpdate) => void, ms = PROGRESS_MS): (u: ProgressUpdate) => void {
  let last = -Infinity;
  let stage: string | undefined;
  return (u) => {
    const now = performance.now();
    if (u.stage !== stage || u.step >= u.total || now - last >= ms) {
      stage = u.stage;
      last = now;
      post(u);
    }
  };
}
