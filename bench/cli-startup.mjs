#!/usr/bin/env node
/**
 * `node bench/cli-startup.mjs [runs]`: wall time of the built CLI (`node bin/trainscope.js …`, i.e.
 * dist/; run `npm run build` first) for the commands that must start fast, with bare `node -e 0`
 * as the floor, interleaved so machine load hits each alike. Prints min and median per command in
 * ms as JSON. The target is ≤ 500 ms for --version and list; a benchmark, not a test.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../bin/trainscope.js', import.meta.url));
if (!existsSync(fileURLToPath(new URL('../dist/cli/main.js', import.meta.url)))) {
  console.error('cli-startup: dist/ is not built (npm run build)');
  process.exit(1);
}
const runs = Number(process.argv[2] ?? 21);
const cases = {
  'node -e 0': ['-e', '0'],
  '--version': [bin, '--version'],
  list: [bin, 'list'],
  'list --json': [bin, 'list', '--json'],
  doctor: [bin, 'doctor'],
};
const times = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
for (let i = 0; i < runs; i++) {
  for (const [name, args] of Object.entries(cases)) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, args, { stdio: 'ignore' });
    if (r.status !== 0) throw new Error(`${name} exited ${r.status}`);
    times[name].push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
}
const stats = Object.fromEntries(
  Object.entries(times).map(([k, t]) => {
    t.sort((a, b) => a - b);
    return [k, { minMs: Math.round(t[0]), medianMs: Math.round(t[Math.floor(t.length / 2)]) }];
  }),
);
console.log(JSON.stringify({ runs, node: process.version, stats }, null, 2));
