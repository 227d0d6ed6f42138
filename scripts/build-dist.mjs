#!/usr/bin/env node
/**
 * `npm run build` (and `prepare`, so `npm ci` in a clone and `npm pack` both run it): compiles
 * src/ to dist/ with tsconfig.build.json — JS with source maps (sources inlined, since src/ is not
 * shipped) and declarations. dist/ is emptied first so a moved or deleted source leaves no stale
 * module behind to be published.
 */
import { rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(new URL('.', import.meta.url)), '..');
rmSync(join(root, 'dist'), { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const r = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { cwd: root, stdio: 'inherit' });
if (r.status !== 0) {
  console.error('build: tsc failed; dist/ is incomplete');
  process.exit(r.status ?? 1);
}
