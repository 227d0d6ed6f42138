/**
 * `nqm_study_s`: wall-clock seconds of the whole `nqm/critical-batch-size` experiment with its
 * default ('small') preset — the notebook's grids, p ∈ {0, .25, .5, .75} × SGD/momentum/EMA,
 * B = 2^2…2^20, the B_crit fits, the Monte-Carlo check and the report (figures rendered) — run
 * once, cold, in a temporary folder, as `trainscope run nqm/critical-batch-size` does it.
 * Acceptance: ≤ 60 s. `tsx bench/nqm.ts` runs it alone.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { criticalBatchSize } from '../src/experiments/nqm/critical-batch-size.ts';
import { resolveConfig } from '../src/experiments/config.ts';
import { executeRun, initRunDir } from '../src/experiments/run-folder.ts';

export async function nqmStudySeconds(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'trainscope-nqm-bench-'));
  try {
    const cfg = resolveConfig(criticalBatchSize, { preset: 'small' });
    initRunDir(join(dir, 'run'), criticalBatchSize, cfg, 'small', 0);
    const t0 = performance.now();
    const { summary } = await executeRun(join(dir, 'run'), criticalBatchSize, { progress: () => {}, signal: new AbortController().signal });
    const s = (performance.now() - t0) / 1000;
    if (!summary) throw new Error('nqm bench: the study did not complete');
    return s;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.stdout.write(`${JSON.stringify({ nqm_study_s: Math.round((await nqmStudySeconds()) * 1000) / 1000 })}\n`);
}
