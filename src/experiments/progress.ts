/**
 * Progress for long runs: a redrawn bar on a TTY (stage, steps, it/s, ETA, loss), and one
 * plain status line every few seconds otherwise (CI logs, pipes). Always on stderr.
 */
import type { ProgressUpdate } from './experiment.ts';

export type ProgressSink = (u: ProgressUpdate) => void;

export function progressReporter(stream: NodeJS.WriteStream = process.stderr, intervalMs = 5000): { update: ProgressSink; done: () => void } {
  const tty = Boolean(stream.isTTY);
  let stage = '';
  let stageStart = 0;
  let firstStep = 0;
  let lastPrint = 0;
  let drawn = false;
  const update: ProgressSink = (u) => {
    const now = performance.now();
    if (u.stage !== stage) {
      if (drawn && tty) stream.write('\n');
      stage = u.stage;
      stageStart = now;
      // A resumed stage starts mid-way: measure the rate from where it picked up.
      firstStep = u.step;
      drawn = false;
    }
    const rate = (u.step - firstStep) / Math.max((now - stageStart) / 1000, 1e-9);
    const eta = rate > 0 ? (u.total - u.step) / rate : Infinity;
    const loss = u.loss === undefined ? '' : ` loss ${u.loss.toFixed(4)}`;
    const stats = `${u.step}/${u.total} ${rate.toFixed(1)} it/s ETA ${Number.isFinite(eta) ? `${Math.ceil(eta)}s` : '?'}${loss}`;
    if (tty) {
      if (now - lastPrint < 100 && u.step < u.total) return;
      const width = 24;
      const filled = Math.round((width * u.step) / Math.max(u.total, 1));
      stream.write(`\r${stage.padEnd(10)} [${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${stats}\x1b[K`);
      drawn = true;
      lastPrint = now;
    } else if (now - lastPrint >= intervalMs || u.step === u.total) {
      stream.write(`${stage}: ${stats}\n`);
      lastPrint = now;
    }
  };
  return {
    update,
    done: () => {
      if (drawn && tty) stream.write('\n');
    },
  };
}
