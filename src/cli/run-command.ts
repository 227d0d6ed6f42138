/** `trainscope run <id>` and `trainscope run --resume <runDir>`. */
import { resolve } from 'node:path';
import { getExperiment } from '../experiments/registry.ts';
import { resolveConfig } from '../experiments/config.ts';
import { initRunDir, newRunDir, readRun, readSummary } from '../experiments/run-folder.ts';
import { applyBackendFlag, booleanFlag, stringFlag, stringFlags, UsageError, type ParsedArgs } from './args.ts';
import { interruptSignal, parsePreset, parseSeed, runOne } from './run-shared.ts';

export default async function runCommand(p: ParsedArgs): Promise<number> {
  await applyBackendFlag(p);
  const json = booleanFlag(p, 'json');
  const { signal, dispose } = interruptSignal();
  try {
    let dir: string;
    let id: string;
    const resume = stringFlag(p, 'resume');
    if (resume !== undefined) {
      if (p.positionals.length || ['preset', 'set', 'config', 'seed', 'out'].some((k) => p.values[k] !== undefined)) {
        throw new UsageError('--resume <runDir> takes no experiment id or config options (the run folder holds them)');
      }
      dir = resolve(resume);
      const { manifest } = readRun(dir);
      if (manifest.status === 'complete') throw new Error(`run ${resume} is already complete`);
      id = manifest.experiment;
    } else {
      if (p.positionals.length !== 1) throw new UsageError('expected one experiment id (see trainscope list)');
      id = p.positionals[0]!;
      const exp = getExperiment(id);
      const preset = parsePreset(stringFlag(p, 'preset'), 'small');
      const file = stringFlag(p, 'config');
      const config = resolveConfig(exp, { preset, ...(file === undefined ? {} : { file }), sets: stringFlags(p, 'set') });
      const seed = parseSeed(stringFlag(p, 'seed'));
      const out = stringFlag(p, 'out');
      dir = out !== undefined ? resolve(out) : newRunDir('runs', id, { config, seed });
      initRunDir(dir, exp, config, preset, seed);
    }
    const { manifest } = await runOne(dir, id, signal, json);
    if (json)
      process.stdout.write(
        `${JSON.stringify({ runDir: dir, status: manifest.status, ...(manifest.status === 'complete' ? { claims: readSummary(dir).claims } : {}) })}\n`,
      );
    return manifest.status === 'incomplete' ? 130 : 0;
  } finally {
    dispose();
  }
}
