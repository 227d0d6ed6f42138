#!/usr/bin/env node
// `npm test`: every *.test.ts at any depth under src/ and test/, run by node's built-in test runner
// (Node 20's --test takes no globs, so the files are found here). Extra arguments are passed on.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(new URL('.', import.meta.url)), '..');
const found = [];
const walk = (dir) => {
  for (const name of readdirSync(dir).sort()) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (name.endsWith('.test.ts')) found.push(relative(root, p));
  }
};
for (const top of ['src', 'test']) walk(join(root, top));
if (found.length === 0) {
  console.error('run-tests: no *.test.ts files under src/ or test/');
  process.exit(1);
}
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', ...process.argv.slice(2), ...found], { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);
