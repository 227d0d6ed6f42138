/** `trainscope watch <runDir>`: follow a run that another process is running. */
import { resolve } from 'node:path';
import { watchRun } from '../experiments/watch.ts';
import { stringFlag, UsageError, type ParsedArgs } from './args.ts';

export default async function watchCommand(p: ParsedArgs): Promise<number> {
  if (p.positionals.length !== 1) throw new UsageError('expected one run folder');
  const raw = stringFlag(p, 'interval');
  const intervalMs = raw === undefined ? 500 : Number(raw);
  if (!Number.isFinite(intervalMs) || intervalMs < 10) throw new UsageError(`--interval must be a number of milliseconds ≥ 10, got '${raw}'`);
  const controller = new AbortController();
  const onSigint = (): void => controller.abort();
  process.on('SIGINT', onSigint);
  try {
    const r = await watchRun(resolve(p.positionals[0]!), { intervalMs, signal: controller.signal });
    return r.status === 'failed' ? 1 : r.status === 'incomplete' || r.status === 'interrupted' ? 130 : 0;
  } finally {
    process.off('SIGINT', onSigint);
  }
}
