/**
 * The local executor: a piscina worker-thread pool, one cell per thread at a time, each thread
 * on the default kernel backend with one BLAS thread (TRAINSCOPE_THREADS=1), so N cells use N
 * cores without oversubscribing them.
 */
import { availableParallelism } from 'node:os';
import { MessageChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import type { CellExecutor } from './executor.ts';
import type { PoolMessage } from './pool-worker.ts';
import type { CellOutcome } from './run-cell.ts';
import { workerEntry } from './worker-entry.ts';

export function defaultJobs(): number {
  return availableParallelism();
}

export function poolExecutor(jobs = defaultJobs()): CellExecutor {
  if (!Number.isSafeInteger(jobs) || jobs < 1) throw new Error(`--jobs must be a positive integer, got ${jobs}`);
  const entry = workerEntry('pool-worker');
  const pool = new Piscina({
    filename: entry.filename,
    execArgv: entry.execArgv,
    env: { ...process.env, TRAINSCOPE_THREADS: '1' },
    // Start every thread now: their module loading overlaps the submitter's own set-up.
    minThreads: jobs,
    maxThreads: jobs,
    // One cell per thread: a queued cell waits for a free thread, never shares one.
    concurrentTasksPerWorker: 1,
  });
  // A thread that fails to start rejects its task (reported per cell); without a listener the
  // pool's 'error' event would instead crash the process.
  pool.on('error', () => {});
  return {
    concurrency: jobs,
    label: `${jobs} worker thread${jobs === 1 ? '' : 's'}`,
    async run(task, hooks, signal) {
      const { port1, port2 } = new MessageChannel();
      port1.on('message', (m: PoolMessage) => {
        if (m.kind === 'progress') hooks.progress(m.update);
      });
      const onAbort = (): void => port1.postMessage('abort');
      signal.addEventListener('abort', onAbort, { once: true });
      hooks.started();
      try {
        if (signal.aborted) onAbort();
        return (await pool.run({ task, port: port2 }, { transferList: [port2] })) as CellOutcome;
      } finally {
        signal.removeEventListener('abort', onAbort);
        port1.close();
      }
    },
    async close() {
      await pool.destroy();
    },
  };
}
