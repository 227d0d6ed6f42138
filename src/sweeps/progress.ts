/**
 * Sweep progress on stderr: one overall bar (cells done / total, ETA) and one status line per
 * running cell, redrawn in place on a TTY; on a pipe or CI log, one line per finished cell and a
 * status line every few seconds.
 */
import type { ProgressUpdate } from '../experiments/experiment.ts';

export interface SweepProgress {
  start(total: number, alreadyDone: number, where: string): void;
  cellStarted(id: string, label: string): void;
  cellProgress(id: string, u: ProgressUpdate): void;
  cellFinished(id: string, status: string, error?: string): void;
  stop(): void;
}

export const silentProgress: SweepProgress = { start() {}, cellStarted() {}, cellProgress() {}, cellFinished() {}, stop() {} };

const seconds = (s: number): string => (Number.isFinite(s) ? (s >= 90 ? `${Math.round(s / 60)}m` : `${Math.ceil(s)}s`) : '?');

export function sweepProgressReporter(stream: NodeJS.WriteStream = process.stderr, intervalMs = 5000): SweepProgress {
  const tty = Boolean(stream.isTTY);
  const running = new Map<string, { label: string; u?: ProgressUpdate }>();
  let total = 0;
  let done = 0;
  let failed = 0;
  let doneHere = 0;
  let t0 = 0;
  let drawnLines = 0;
  let lastDraw = 0;
  let timer: NodeJS.Timeout | undefined;
  const overall = (): string => {
    const width = 24;
    const filled = Math.round((width * done) / Math.max(total, 1));
    const elapsed = (performance.now() - t0) / 1000;
    const eta = doneHere > 0 ? ((total - done) * elapsed) / doneHere : Infinity;
    return `sweep [${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${done}/${total} cells${failed ? ` (${failed} failed)` : ''} · ${running.size} running · ETA ${done === total ? '0s' : seconds(eta)}`;
  };
  const cellLine = (id: string, c: { label: string; u?: ProgressUpdate }): string =>
    `  ${id} ${c.label}${c.u ? ` · ${c.u.stage} ${c.u.step}/${c.u.total}${c.u.loss === undefined ? '' : ` loss ${c.u.loss.toFixed(4)}`}` : ' · starting'}`;
  const draw = (force = false): void => {
    const now = performance.now();
    if (tty) {
      if (!force && now - lastDraw < 100) return;
      const lines = [overall(), ...[...running].map(([id, c]) => cellLine(id, c))];
      stream.write(`${drawnLines > 1 ? `\x1b[${drawnLines - 1}F` : '\r'}${lines.map((l) => `${l}\x1b[K`).join('\n')}\x1b[J`);
      drawnLines = lines.length;
    } else if (force || now - lastDraw >= intervalMs) {
      stream.write(`${overall()}\n`);
    } else return;
    lastDraw = now;
  };
  return {
    start(n, already, where) {
      total = n;
      done = already;
      t0 = performance.now();
      stream.write(`sweep: ${n} cells (${already} already complete) on ${where}\n`);
      if (!tty) timer = setInterval(() => draw(true), intervalMs).unref();
      draw(true);
    },
    cellStarted(id, label) {
      running.set(id, { label });
      draw();
    },
    cellProgress(id, u) {
      const c = running.get(id);
      if (c) c.u = u;
      draw();
    },
    cellFinished(id, status, error) {
      const c = running.get(id);
      running.delete(id);
      if (status === 'complete' || status === 'failed') {
        done++;
        doneHere++;
      }
      if (status === 'failed') failed++;
      if (!tty || status === 'failed') {
        if (tty && drawnLines) stream.write('\r\x1b[J');
        drawnLines = tty ? 0 : drawnLines;
        stream.write(`  cell ${id}${c?.label ? ` (${c.label})` : ''}: ${status}${error ? ` — ${error}` : ''}\n`);
      }
      draw(true);
    },
    stop() {
      if (timer) clearInterval(timer);
      if (tty && drawnLines) stream.write('\n');
      drawnLines = 0;
    },
  };
}
