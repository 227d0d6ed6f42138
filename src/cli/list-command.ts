/** `trainscope list`: registered experiments, presets, config keys (and, with --json, config JSON Schemas). */
import { EXPERIMENTS } from '../experiments/registry.ts';
import { allowedKeys } from '../experiments/config.ts';
import { configJsonSchema } from '../experiments/config-schema.ts';
import { booleanFlag, type ParsedArgs } from './args.ts';

export default function listCommand(p: ParsedArgs): number {
  const rows = EXPERIMENTS.map((e) => ({ id: e.id, title: e.title, paper: e.paper, presets: Object.keys(e.presets), configKeys: allowedKeys(e) }));
  if (booleanFlag(p, 'json')) process.stdout.write(`${JSON.stringify(EXPERIMENTS.map((e, i) => ({ ...rows[i]!, configSchema: configJsonSchema(e) })))}\n`);
  else
    for (const r of rows)
      process.stdout.write(`${r.id.padEnd(28)} ${r.title}\n${' '.repeat(29)}presets: ${r.presets.join(', ')}; config: ${r.configKeys.join(', ')}\n`);
  return 0;
}
