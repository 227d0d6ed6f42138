/**
 * `trainscope --version`, `list`, `doctor` and `watch` start fast because they never load report/
 * rendering (vega, vega-lite, resvg): checked on the static import graph (dynamic `import()` is
 * how the rendering commands load it, so it is not followed).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const HEAVY = /^(vega|vega-lite|@resvg\/resvg-js|bullmq|ioredis)$/;

/** Every module reachable from `entry` through static imports: repo-relative paths and bare package names. */
function staticClosure(entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string): void => {
    const rel = relative(ROOT, file);
    if (seen.has(rel)) return;
    seen.add(rel);
    const source = readFileSync(file, 'utf8');
    // `import … from '…'` and `export … from '…'`, not `import type` (erased) and not `import(…)`.
    for (const m of source.matchAll(/^(?:import|export)(?!\s+type\b)[^'"]*?from\s*['"]([^'"]+)['"]|^import\s+['"]([^'"]+)['"]/gm)) {
      const spec = (m[1] ?? m[2])!;
      if (spec.startsWith('.')) visit(resolve(dirname(file), spec));
      else if (!spec.startsWith('node:')) seen.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
    }
  };
  visit(resolve(ROOT, entry));
  return seen;
}

test('the checker follows static imports and skips type-only and dynamic ones', () => {
  const all = staticClosure('src/cli/report-command.ts');
  assert.ok(all.has('vega'), 'report renders, so it reaches vega');
  assert.ok(all.has('src/experiments/registry.ts'));
});

for (const entry of [
  'src/cli/main.ts',
  'src/cli/list-command.ts',
  'src/cli/doctor-command.ts',
  'src/cli/watch-command.ts',
  'src/cli/run-command.ts',
  'src/cli/reproduce-command.ts',
  'src/cli/sweep-command.ts',
]) {
  test(`${entry} loads no renderer`, () => {
    const heavy = [...staticClosure(entry)].filter((m) => HEAVY.test(m) || m === 'src/report/figures.ts');
    assert.deepEqual(heavy, []);
  });
}

test('main.ts itself imports only the version and the parser (each command loads on use)', () => {
  assert.deepEqual([...staticClosure('src/cli/main.ts')].sort(), ['src/cli/args.ts', 'src/cli/main.ts', 'src/kernels/kernels.ts', 'src/version.ts']);
});
