/**
 * The submitting side of the distributed executor: each cell becomes a BullMQ job whose id is
 * the cell id (so re-submitting a sweep adds nothing twice: BullMQ ignores a known id), and the
 * result — the worker's packed run folder — is written under the sweep folder. Waiting follows
 * QueueEvents (active/progress/completed/failed) and, in case an event is missed, polls the
 * pending jobs' states every second.
 */
import { createHash } from 'node:crypto';
import { Job, Queue, QueueEvents } from 'bullmq';
import { currentEnv } from '../experiments/run-env.ts';
import { VERSION } from '../version.ts';
import type { CellExecutor, CellHooks } from './executor.ts';
import { unpackRunFolder } from './pack.ts';
import { jobIdOf, type CellJobData, type CellJobResult } from './queue-protocol.ts';
import { checkRedis, parseQueueUrl } from './redis-url.ts';
import type { CellOutcome, CellTask } from './run-cell.ts';

export interface QueueExecutorOptions {
  /** Extra attempts after a failure before a cell is reported failed (default 2). */
  retries?: number;
  withCheckpoints?: boolean;
  /** How long to wait for Redis to answer before giving up (default 5 s). */
  connectTimeoutMs?: number;
}

interface Pending {
  task: CellTask;
  hooks: CellHooks;
  started: boolean;
  settle: (o: CellOutcome) => void;
  fail: (e: Error) => void;
}

/** Connects (or fails with one clear line) before anything is written, then returns the executor. */
/** This code's identity for job ids (version, commit, uncommitted diff): 8 hex characters. */
export function submitterCode(): string {
  const env = currentEnv();
  return createHash('sha256')
    .update(`${VERSION} ${env.gitSha} ${env.gitDiff ?? ''}`)
    .digest('hex')
    .slice(0, 8);
}

export async function queueExecutor(url: string, o: QueueExecutorOptions = {}): Promise<CellExecutor> {
  const target = parseQueueUrl(url);
  await checkRedis(target, o.connectTimeoutMs ?? 5000);
  const attempts = (o.retries ?? 2) + 1;
  const code = submitterCode();
  const queue = new Queue<CellJobData, CellJobResult>(target.queueName, { connection: target.connection });
  const events = new QueueEvents(target.queueName, { connection: target.connection });
  queue.on('error', () => {});
  events.on('error', () => {});
  await events.waitUntilReady();
  const pending = new Map<string, Pending>();

  /** Look at a job and settle its waiter if it has finished for good. */
  const check = async (jobId: string): Promise<void> => {
    const p = pending.get(jobId);
    if (!p) return;
    const job = await Job.fromId<CellJobData, CellJobResult>(queue, jobId);
    if (!job) return;
    const state = await job.getState();
    if (state === 'active' && !p.started) {
      p.started = true;
      p.hooks.started();
    }
    if (state === 'completed' && job.returnvalue) {
      pending.delete(jobId);
      try {
        unpackRunFolder(job.returnvalue.folder, p.task.dir);
        const { worker: _w, ...outcome } = job.returnvalue.outcome;
        p.settle({ ...outcome, ran: true });
      } catch (e) {
        p.fail(e as Error);
      }
    } else if (state === 'failed') {
      pending.delete(jobId);
      p.settle({ status: 'failed', error: job.failedReason || 'failed on a worker', backend: 'unknown', trainscope: 'unknown', ran: true });
    }
  };
  const safeCheck = (jobId: string): void => void check(jobId).catch(() => {});
  events.on('active', ({ jobId }) => {
    const p = pending.get(jobId);
    if (p && !p.started) {
      p.started = true;
      p.hooks.started();
    }
  });
  events.on('progress', ({ jobId, data }) => {
    const p = pending.get(jobId);
    if (p && typeof data === 'object' && data !== null && 'stage' in data) p.hooks.progress(data as never);
  });
  events.on('completed', ({ jobId }) => safeCheck(jobId));
  // 'failed' also fires for an attempt that will be retried; check() settles only a final failure.
  events.on('failed', ({ jobId }) => safeCheck(jobId));
  const poll = setInterval(() => {
    for (const id of pending.keys()) safeCheck(id);
  }, 1000);

  return {
    concurrency: Number.POSITIVE_INFINITY,
    label: `queue ${target.display}`,
    run(task, hooks, signal) {
      const jobId = jobIdOf(task.cell, code);
      return new Promise<CellOutcome>((resolve, reject) => {
        const onAbort = (): void => {
          // The cell keeps running on its worker; the next submit picks its result up.
          pending.delete(jobId);
          resolve({ status: 'incomplete', backend: 'unknown', trainscope: 'unknown', ran: false });
        };
        const done = (f: () => void): void => {
          signal.removeEventListener('abort', onAbort);
          f();
        };
        pending.set(jobId, { task, hooks, started: false, settle: (x) => done(() => resolve(x)), fail: (e) => done(() => reject(e)) });
        if (signal.aborted) return onAbort();
        signal.addEventListener('abort', onAbort, { once: true });
        const { dir: _dir, ...rest } = task;
        void (async () => {
          const job = await queue.add(
            'cell',
            { task: rest, withCheckpoints: o.withCheckpoints ?? false },
            {
              jobId,
              attempts,
              removeOnComplete: { age: 7 * 24 * 3600 },
              removeOnFail: { age: 7 * 24 * 3600 },
            },
          );
          // A job that failed for good in an earlier submission gets a fresh set of attempts.
          if ((await job.getState()) === 'failed') await job.retry('failed', { resetAttemptsMade: true });
          await check(jobId);
        })().catch((e) => {
          pending.delete(jobId);
          done(() => reject(e as Error));
        });
      });
    },
    async close() {
      clearInterval(poll);
      await events.close();
      await queue.close();
    },
  };
}
