/** `trainscope reproduce`: every registered experiment, then index.html. */
import { join, relative, resolve } from 'node:path';
import { claimsFailed, reproduce } from '../experiments/reproduce.ts';
import { claimCountText } from '../report/claims.ts';
import { applyBackendFlag, booleanFlag, stringFlag, UsageError, type ParsedArgs } from './args.ts';
import { interruptSignal, parsePreset, parseSeed, runOne } from './run-shared.ts';

export default async function reproduceCommand(p: ParsedArgs): Promise<number> {
  await applyBackendFlag(p);
  const preset = parsePreset(stringFlag(p, 'preset'), 'small');
  const seed = parseSeed(stringFlag(p, 'seed'));
  const json = booleanFlag(p, 'json');
  const outFlag = stringFlag(p, 'out');
  const out = resolve(outFlag ?? join('runs', `reproduce-${preset}`));
  // --jobs / --queue: each experiment is one cell on the sweep executors (loaded only then: the process pool, bullmq).
  const jobs = stringFlag(p, 'jobs');
  const queue = stringFlag(p, 'queue');
  const retries = stringFlag(p, 'retries');
  if (retries !== undefined && queue === undefined) throw new UsageError('--retries goes with --queue');
  const parallel = jobs !== undefined || queue !== undefined;
  const executor = parallel
    ? await (await import('./sweep-command.ts')).executorFor({
        ...(jobs !== undefined ? { jobs } : {}),
        ...(queue !== undefined ? { queue } : {}),
        ...(retries !== undefined ? { retries } : {}),
      })
    : undefined;
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  const { signal, dispose } = interruptSignal();
  try {
    const r = await reproduce({
      out,
      preset,
      seed,
      signal,
      log,
      ...(executor ? { jobs: executor.concurrency } : {}),
      runOne: executor ? (await import('./reproduce-parallel.ts')).executorRunOne(executor, signal, log) : (dir, exp) => runOne(dir, exp.id, signal, json),
    });
    if (r.interrupted) {
      // The same command again: every flag that shapes the runs (a different seed would refuse them).
      const resumeFlags = [
        preset !== 'small' ? ` --preset ${preset}` : '',
        seed !== 0 ? ` --seed ${seed}` : '',
        outFlag ? ` --out ${outFlag}` : '',
        jobs !== undefined ? ` --jobs ${jobs}` : '',
        queue !== undefined ? ` --queue ${queue}` : '',
        stringFlag(p, 'backend') !== undefined ? ` --backend ${stringFlag(p, 'backend')}` : '',
      ].join('');
      process.stderr.write(`reproduce: interrupted; run trainscope reproduce${resumeFlags} again to continue\n`);
      return 130;
    }
    const claims = r.entries.flatMap((e) => e.claims);
    if (json) process.stdout.write(`${JSON.stringify({ out, index: r.index, failed: r.failed, experiments: r.entries })}\n`);
    else
      process.stdout.write(
        `reproduce: ${r.entries.length} experiment${r.entries.length === 1 ? '' : 's'}${r.failed ? ` (${r.failed} failed)` : ''}, claims ${claimCountText(claims)}; open ${join(relative(process.cwd(), out) || '.', 'index.html')}\n`,
      );
    if (r.failed) return 1;
    const failing = claimsFailed(r.entries);
    if (booleanFlag(p, 'strict') && failing.length) {
      process.stderr.write(`reproduce --strict: ${failing.length} claim${failing.length === 1 ? '' : 's'} failed: ${failing.join(', ')}\n`);
      return 1;
    }
    return 0;
  } finally {
    dispose();
    await executor?.close();
  }
}
