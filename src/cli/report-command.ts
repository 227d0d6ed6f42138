/** `trainscope report <runDir>`: re-render a complete run's report (the one command here that loads report/, vega, resvg). */
import { join, resolve } from 'node:path';
import { getExperiment } from '../experiments/registry.ts';
import { readRun, readSummary, shownStatus } from '../experiments/run-folder.ts';
import { decodeTree } from '../train/serialize.ts';
import { writeReport } from '../report/index.ts';
import { applyBackendFlag, booleanFlag, UsageError, type ParsedArgs } from './args.ts';

export default async function reportCommand(p: ParsedArgs): Promise<number> {
  await applyBackendFlag(p);
  if (p.positionals.length !== 1) throw new UsageError('expected one run folder');
  const dir = resolve(p.positionals[0]!);
  const { manifest, config } = readRun(dir);
  if (manifest.status !== 'complete') throw new Error(`run ${p.positionals[0]} is ${shownStatus(dir, manifest)}; finish it with trainscope run --resume first`);
  const exp = getExperiment(manifest.experiment);
  const parsed = exp.config.parse(config);
  const summary = readSummary(dir);
  await writeReport(dir, exp.report(decodeTree(summary.result), parsed), { ...manifest, config: parsed });
  const files = { report: join(dir, 'report.html'), markdown: join(dir, 'report.md'), figures: join(dir, 'figures') };
  if (booleanFlag(p, 'json')) process.stdout.write(`${JSON.stringify({ runDir: dir, experiment: manifest.experiment, ...files, claims: summary.claims })}\n`);
  else process.stdout.write(`${join(p.positionals[0]!, 'report.html')}\n`);
  return 0;
}
