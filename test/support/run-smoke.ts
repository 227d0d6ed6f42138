/** Runs an experiment's smoke preset (with --set overrides) in a temp folder and returns its summary.json. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig } from '../../src/experiments/config.ts';
import type { Experiment } from '../../src/experiments/experiment.ts';
import { executeRun, initRunDir } from '../../src/experiments/run-folder.ts';

export async function runSmoke(exp: Experiment<any, any>, sets: string[] = [], seed = 0): Promise<any> {
  const dir = mkdtempSync(join(tmpdir(), 'dash-test-'));
  try {
    initRunDir(join(dir, 'run'), exp, resolveConfig(exp, { preset: 'smoke', sets }), 'smoke', seed);
    await executeRun(join(dir, 'run'), exp, { progress: () => {}, signal: new AbortController().signal });
    return JSON.parse(readFileSync(join(dir, 'run', 'summary.json'), 'utf8'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
