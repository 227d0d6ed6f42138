/**
 * reproduce: run every experiment (one preset, one seed) into out/<id>/ and write out/index.html.
 * A failing experiment does not stop the others: its folder is marked failed, the index shows it
 * as failed with its error, and the result counts it, so the caller can exit non-zero at the end.
 * Complete runs of the same config and seed are reused; an interrupted one continues where it
 * stopped.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { writeIndex, type IndexEntry } from '../report/index-page.ts';
import { claimStatus } from '../report/claims.ts';
import { resolveConfig } from './config.ts';
import type { Experiment, PresetName } from './experiment.ts';
import { EXPERIMENTS } from './registry.ts';
import { ensureWritableDir, executeRun, initRunDir, readRun, readSummary, shownStatus, type Manifest, type Summary } from './run-folder.ts';

export interface ReproduceOptions {
  out: string;
  preset: PresetName;
  seed: number;
  signal: AbortSignal;
  /** Default: every registered experiment. */
  experiments?: readonly Experiment<any, any>[];
  /** Runs (or resumes) one experiment in its folder; default executeRun without progress output. */
  runOne?: (dir: string, exp: Experiment<any, any>) => Promise<{ manifest: Manifest; summary?: Summary }>;
  /** One line per event (starting, failed), for the terminal. */
  log?: (line: string) => void;
  /** How many experiments run at once (default 1); runOne decides where (a pool process, a queue worker). */
  jobs?: number;
}

export interface ReproduceResult {
  out: string;
  /** out/index.html, or null when interrupted before every experiment was run. */
  index: string | null;
  entries: IndexEntry[];
  failed: number;
  interrupted: boolean;
}

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** `<experiment>:<claim id>` of every claim that failed (not those not evaluated): what `reproduce --strict` exits 1 on. */
export function claimsFailed(entries: readonly IndexEntry[]): string[] {
  return entries.flatMap((e) => e.claims.filter((c) => claimStatus(c) === 'fail').map((c) => `${e.id}:${c.id}`));
}

function interruptedOrFailed(dir: string): 'interrupted' | 'failed' {
  try {
    return shownStatus(dir, readRun(dir).manifest) === 'interrupted' ? 'interrupted' : 'failed';
  } catch {
    return 'failed';
  }
}

export async function reproduce(opts: ReproduceOptions): Promise<ReproduceResult> {
  const experiments = opts.experiments ?? EXPERIMENTS;
  const log = opts.log ?? (() => {});
  const runOne = opts.runOne ?? ((dir, exp) => executeRun(dir, exp, { progress: () => {}, signal: opts.signal }));
  ensureWritableDir(opts.out);
  const entries: (IndexEntry | undefined)[] = new Array(experiments.length).fill(undefined);
  let interrupted = false;
  const one = async (exp: Experiment<any, any>, i: number): Promise<void> => {
    const base = { id: exp.id, title: exp.title, paper: exp.paper };
    const dir = join(opts.out, exp.id);
    try {
      const preset = exp.presets[opts.preset] ? opts.preset : 'small';
      if (preset !== opts.preset) log(`reproduce: ${exp.id} has no '${opts.preset}' preset; running its 'small' preset`);
      const config = resolveConfig(exp, { preset });
      // Reuse a finished or interrupted run of the same config; start afresh otherwise.
      let status: string | undefined;
      if (existsSync(join(dir, 'manifest.json'))) {
        const { manifest, config: old } = readRun(dir);
        if (JSON.stringify(old) !== JSON.stringify(config) || manifest.seed !== opts.seed)
          throw new Error(`${dir} holds a run with a different config or seed; choose another --out`);
        status = manifest.status;
      } else {
        initRunDir(dir, exp, config, preset, opts.seed);
      }
      if (status !== 'complete') {
        log(`reproduce: ${exp.id} (${preset})`);
        const { manifest } = await runOne(dir, exp);
        if (manifest.status === 'incomplete') {
          interrupted = true;
          return;
        }
      }
      entries[i] = { ...base, reportHref: `${exp.id}/report.html`, status: 'complete', claims: readSummary(dir).claims };
    } catch (e) {
      if (opts.signal.aborted) {
        interrupted = true;
        return;
      }
      log(`reproduce: ${exp.id} failed: ${errorText(e)}`);
      // A run refused on resume (its process died, then the setup changed) is interrupted, not failed.
      entries[i] = { ...base, reportHref: null, status: interruptedOrFailed(dir), claims: [], error: errorText(e) };
    }
  };
  // Up to `jobs` experiments side by side (each on its own worker when runOne sends it to a pool or queue).
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < experiments.length && !interrupted && !opts.signal.aborted) {
      const i = next++;
      await one(experiments[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.jobs ?? 1, experiments.length)) }, lane));
  const done = entries.filter((e): e is IndexEntry => e !== undefined);
  const failed = done.filter((e) => e.status === 'failed' || e.status === 'interrupted').length;
  if (interrupted || opts.signal.aborted) return { out: opts.out, index: null, entries: done, failed, interrupted: true };
  const index = writeIndex(opts.out, done, { subtitle: `preset ${opts.preset} · seed ${opts.seed}${failed ? ` · ${failed} failed` : ''}` });
  return { out: opts.out, index, entries: done, failed, interrupted: false };
}
