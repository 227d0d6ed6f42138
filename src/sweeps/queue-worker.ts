/**
 * The pulling side of the distributed executor: a BullMQ Worker that runs each cell on a local
 * process pool (so this process stays free to renew the job locks) in a
 * folder of its own under `workDir`, and returns the packed run folder as the job result. A
 * worker killed mid-cell stops renewing its lock; BullMQ's stalled-job check re-queues the cell
 * and another worker runs it (resuming from the checkpoints when it shares `workDir`).
 */
import { rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'bullmq';
import { poolExecutor } from './pool.ts';
import { throttledProgress } from './progress-throttle.ts';
import { packRunFolder } from './pack.ts';
import type { CellJobData, CellJobResult } from './queue-protocol.ts';
import { checkRedis, parseQueueUrl } from './redis-url.ts';

export interface QueueWorkerOptions {
  url: string;
  /** Cells run side by side (pool processes); default 1. */
  jobs?: number;
  /** Where cells run (default: <tmp>/trainscope-worker). */
  workDir?: string;
  /** How long a job's lock lasts without renewal (ms; default 30000): a dead worker's cell is re-queued after about this. */
  lockMs?: number;
  /** How often workers look for stalled jobs (ms; default 30000). */
  stalledMs?: number;
  log?: (line: string) => void;
}

export interface RunningQueueWorker {
  /** Let the running cells finish, then stop (`force`: stop now; the queue re-queues them). */
  close(force?: boolean): Promise<void>;
  /** Resolves when the worker has stopped. */
  closed: Promise<void>;
}

/** Progress is sent at most this often (ms) per cell, so Redis is not flooded. */
const PROGRESS_MS = 500;

export async function startQueueWorker(o: QueueWorkerOptions): Promise<RunningQueueWorker> {
  const target = parseQueueUrl(o.url);
  await checkRedis(target);
  const jobs = o.jobs ?? 1;
  const workDir = o.workDir ?? join(tmpdir(), 'trainscope-worker');
  const log = o.log ?? (() => {});
  const me = `${hostname()}:${process.pid}`;
  const pool = poolExecutor(jobs);
  const never = new AbortController().signal;
  const worker = new Worker<CellJobData, CellJobResult>(
    target.queueName,
    async (job) => {
      const dir = join(workDir, job.data.task.cell);
      const progress = throttledProgress((u) => void job.updateProgress({ ...u }).catch(() => {}), PROGRESS_MS);
      log(`worker ${me}: cell ${job.data.task.cell} (${job.data.task.experiment.id}, attempt ${job.attemptsMade + 1})`);
      const outcome = await pool.run({ ...job.data.task, dir }, { started: () => {}, progress }, never);
      if (outcome.status !== 'complete') throw new Error(outcome.error ?? `cell ended ${outcome.status}`);
      const folder = packRunFolder(dir, job.data.withCheckpoints);
      rmSync(dir, { recursive: true, force: true });
      log(`worker ${me}: cell ${job.data.task.cell} complete`);
      return { outcome: { ...outcome, worker: me }, folder };
    },
    {
      connection: target.connection,
      concurrency: jobs,
      autorun: true,
      lockDuration: o.lockMs ?? 30000,
      stalledInterval: o.stalledMs ?? 30000,
      maxStalledCount: 3,
    },
  );
  worker.on('error', (e) => log(`worker ${me}: ${e.message}`));
  worker.on('failed', (job, e) => log(`worker ${me}: cell ${job?.data.task.cell ?? '?'} failed: ${e.message}`));
  let resolveClosed!: () => void;
  const closed = new Promise<void>((r) => {
    resolveClosed = r;
  });
  await worker.waitUntilReady();
  log(`worker ${me}: pulling cells from ${target.display} (${jobs} at a time, in ${workDir})`);
  return {
    closed,
    async close(force = false) {
      await worker.close(force);
      await pool.close();
      resolveClosed();
    },
  };
}
