/** `trainscope run <id>` and `trainscope run --resume <runDir>`. */
import { resolve } from 'node:path';
import { getExperiment } from '../experiments/registry.ts';
import { resolveConfig } from '../experiments/config.ts';
import { ensureWritableDir, initRunDir, newRunDir, readRun, readSummary } from '../experiments/run-folder.ts';
import { acquireRunLock } from '../experiments/run-lock.ts';
import { checkNewRunDir } from '../experiments/run-dir-checks.ts';
import { kernels } from '../kernels/backend.ts';
import { applyBackendFlag, booleanFlag, stringFlag, stringFlags, UsageError, type ParsedArgs } from './args.ts';
import { interruptSignal, parsePreset, parseSeed, runOne, type RunFlags } from './run-shared.ts';

export default async function runCommand(p: ParsedArgs): Promise<number> {
  await applyBackendFlag(p);
  const json = booleanFlag(p, 'json');
  const runFlags: RunFlags = { allowMismatch: booleanFlag(p, 'allow-mismatch'), keepCheckpoints: booleanFlag(p, 'keep-checkpoints') };
  const { signal, dispose } = interruptSignal();
  let lock: { release(): void } | undefined;
  try {
    let dir: string;
    let id: string;
    const resume = stringFlag(p, 'resume');
    if (resume !== undefined) {
      if (p.positionals.length || ['preset', 'set', 'config', 'seed', 'out', 'force'].some((k) => p.values[k] !== undefined)) {
        throw new UsageError('--resume <runDir> takes no experiment id or config options (the run folder holds them)');
      }
      dir = resolve(resume);
      const { manifest } = readRun(dir);
      if (manifest.status === 'complete') throw new Error(`run ${resume} is already complete`);
      id = manifest.experiment;
    } else {
      if (booleanFlag(p, 'allow-mismatch')) throw new UsageError('--allow-mismatch goes with --resume');
      if (p.positionals.length !== 1) throw new UsageError('expected one experiment id (see trainscope list)');
      id = p.positionals[0]!;
      const exp = getExperiment(id);
      const preset = parsePreset(stringFlag(p, 'preset'), 'small');
      const file = stringFlag(p, 'config');
      const config = resolveConfig(exp, { preset, ...(file === undefined ? {} : { file }), sets: stringFlags(p, 'set') });
      const seed = parseSeed(stringFlag(p, 'seed'));
      const out = stringFlag(p, 'out');
      if (out?.trim() === '') throw new UsageError(`--out must name a folder, got ''`);
      dir = out !== undefined ? resolve(out) : newRunDir('runs', id, { config, seed });
      const force = booleanFlag(p, 'force');
      // Everything that can be refused is checked before the folder is touched (an unknown backend, a
      // folder that is not ours); then the lock is taken *before* initRunDir (which re-checks under it,
      // the lock being re-entrant) and held to the end: no other process slips in between.
      kernels();
      checkNewRunDir(dir, force);
      ensureWritableDir(dir); // says which folder cannot be created, before the lock makes it
      lock = acquireRunLock(dir);
      initRunDir(dir, exp, config, preset, seed, { force });
    }
    const { manifest } = await runOne(dir, id, signal, json, runFlags);
    if (json)
      process.stdout.write(
        `${JSON.stringify({ runDir: dir, status: manifest.status, ...(manifest.status === 'complete' ? { claims: readSummary(dir).claims } : {}) })}\n`,
      );
    return manifest.status === 'incomplete' ? 130 : 0;
  } finally {
    lock?.release();
    dispose();
  }
}
