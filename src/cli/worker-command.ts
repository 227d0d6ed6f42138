/**
 * `trainscope worker --queue redis://…`: pull sweep cells from a BullMQ queue and run them until
 * Ctrl-C (which lets the running cells finish; a second Ctrl-C quits at once and the queue
 * re-queues them). Logic in src/sweeps/queue-worker.ts.
 */
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { startQueueWorker } from '../sweeps/queue-worker.ts';
import { SweepUsageError } from './sweep-command.ts';

export const WORKER_HELP = `Usage: trainscope worker --queue redis://HOST:PORT[/DB][?queue=NAME] [--jobs N] [--work DIR]
                        [--lock-ms MS] [--stalled-ms MS]
  Pulls cells submitted by \`trainscope sweep --queue\` (or reproduce --queue), runs N at a time
  (default 1) on worker threads in DIR (default <tmp>/trainscope-worker) and returns each finished
  run folder to the submitter. A worker that dies mid-cell loses its lock after --lock-ms (default
  30000); the other workers' stalled check (every --stalled-ms) re-queues the cell.
  Ctrl-C: finish the running cells, then exit; Ctrl-C again: exit now.
`;

const positiveInt = (name: string, v: string | undefined): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 1) throw new SweepUsageError(`--${name} must be a positive integer, got '${v}'`);
  return n;
};

export async function workerCommand(argv: readonly string[]): Promise<number> {
  let p;
  try {
    p = parseArgs({
      args: [...argv], strict: true, allowPositionals: false,
      options: { queue: { type: 'string' }, jobs: { type: 'string' }, work: { type: 'string' }, 'lock-ms': { type: 'string' }, 'stalled-ms': { type: 'string' } },
    });
  } catch (e) {
    throw new SweepUsageError(`${(e as Error).message.split('. ')[0]} (try trainscope worker --help)`);
  }
  const v = p.values;
  if (v.queue === undefined) throw new SweepUsageError('--queue redis://HOST:PORT is required');
  const w = await startQueueWorker({
    url: v.queue, jobs: positiveInt('jobs', v.jobs), workDir: v.work === undefined ? undefined : resolve(v.work),
    lockMs: positiveInt('lock-ms', v['lock-ms']), stalledMs: positiveInt('stalled-ms', v['stalled-ms']),
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
  try {
    await w.closed;
    return 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
