/** What `run` and `reproduce` share: preset and seed flags, Ctrl-C handling, running one experiment. */
import { join, relative } from 'node:path';
import { getExperiment } from '../experiments/registry.ts';
import { PRESETS, type PresetName } from '../experiments/experiment.ts';
import { executeRun, type Manifest, type Summary } from '../experiments/run-folder.ts';
import { progressReporter } from '../experiments/progress.ts';
import { claimCountText, claimStatus, observedText } from '../report/claims.ts';
import { UsageError } from './args.ts';

export { interruptSignal } from './interrupt.ts';

export function parsePreset(v: string | undefined, dflt: PresetName): PresetName {
  if (v === undefined) return dflt;
  if (!(PRESETS as readonly string[]).includes(v)) throw new UsageError(`--preset must be one of ${PRESETS.join(', ')}, got '${v}'`);
  return v as PresetName;
}

export function parseSeed(v: string | undefined): number {
  if (v === undefined) return 0;
  if (v.trim() === '') throw new UsageError(`--seed must be a non-negative integer, got ''`);
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0) throw new UsageError(`--seed must be a non-negative integer, got '${v}'`);
  return n;
}

/** What `run` passes on to executeRun. */
export interface RunFlags {
  allowMismatch?: boolean;
  keepCheckpoints?: boolean;
}

export async function runOne(
  dir: string,
  id: string,
  signal: AbortSignal,
  json: boolean,
  flags: RunFlags = {},
): Promise<{ manifest: Manifest; summary?: Summary }> {
  const exp = getExperiment(id);
  const progress = progressReporter();
  try {
    const { manifest, summary } = await executeRun(dir, exp, { progress: progress.update, signal, ...flags });
    progress.done();
    const rel = relative(process.cwd(), dir) || '.';
    if (manifest.status === 'incomplete') {
      process.stderr.write(`${id}: interrupted; the run folder is marked incomplete. Continue with: trainscope run --resume ${rel}\n`);
    } else if (!json) {
      process.stdout.write(`${id}: complete in ${manifest.wallSec}s, claims ${claimCountText(summary!.claims)}\n`);
      for (const c of summary!.claims) process.stdout.write(`  ${claimStatus(c).toUpperCase().padEnd(13)} ${c.statement} — ${observedText(c)}\n`);
      process.stdout.write(`  report: ${join(rel, 'report.html')}\n`);
    }
    return summary === undefined ? { manifest } : { manifest, summary };
  } finally {
    progress.done();
  }
}
