/**
 * `trainscope worker --queue redis://…`: pull sweep cells from a BullMQ queue and run them until
 * Ctrl-C (which lets the running cells finish; a second Ctrl-C quits at once and the queue
 * re-queues them). Logic in src/sweeps/queue-worker.ts.
 */
import { resolve } from 'node:path';
import { startQueueWorker } from '../sweeps/queue-worker.ts';
import { applyBackendFlag, stringFlag, UsageError, type ParsedArgs } from './args.ts';

const positiveInt = (name: string, v: string | undefined): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`--${name} must be a positive integer, got '${v}'`);
  return n;
};

export default async function workerCommand(p: ParsedArgs): Promise<number> {
  await applyBackendFlag(p);
  const v = {
    queue: stringFlag(p, 'queue'),
    jobs: stringFlag(p, 'jobs'),
    work: stringFlag(p, 'work'),
    'lock-ms': stringFlag(p, 'lock-ms'),
    'stalled-ms': stringFlag(p, 'stalled-ms'),
  };
  if (v.queue === undefined) throw new UsageError('--queue redis://HOST:PORT is required');
  const w = await startQueueWorker({
    url: v.queue,
    jobs: positiveInt('jobs', v.jobs),
    workDir: v.work === undefined ? undefined : resolve(v.work),
    lockMs: positiveInt('lock-ms', v['lock-ms']),
    stalledMs: positiveInt('stalled-ms', v['stalled-ms']),
    log: (line) => process.stderr.write(`${line}\n`),
  });
  let stopping = false;
  const onSignal = (): void => {
    if (stopping) process.exit(130);
    stopping = true;
    process.stderr.write('\nworker: finishing the running cells, then exiting (Ctrl-C again to quit now)\n');
    void w.close();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  try {
    await w.closed;
    return 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('SIGHUP', onSignal);
  }
}
