/**
 * The layer rules of ARCHITECTURE.md, checked on every file under src/: imports point downwards.
 *   - src/tensor/ imports only src/tensor/ and src/kernels/ (it knows nothing above it);
 *   - src/kernels/ imports no other src/ folder;
 *   - src/io/ (atomic file writes, shared by train/, report/ and experiments/) imports no other src/ folder;
 *   - outside src/kernels/, only its public entry files (kernels.ts: the contract and shared
 *     helpers; backend.ts: which backend runs) are imported — never a backend implementation;
 *   - nothing imports src/cli/ (outside it), and src/sweeps/ is imported only by cli/ and itself
 *     (it sits between experiments/ and cli/).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const KERNELS_PUBLIC = new Set(['src/kernels/kernels.ts', 'src/kernels/backend.ts']);

/** An import: the importing file and the imported file, both relative to the repository root. */
export interface Edge {
  from: string;
  to: string;
}

/** Relative import specifiers of a TS source (static, re-exports, side-effect and dynamic imports). */
export function importSpecifiers(source: string): string[] {
  const out: string[] = [];
  const re = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)['"](\.{1,2}\/[^'"]+)['"]/gm;
  for (let m = re.exec(source); m; m = re.exec(source)) out.push(m[1]!);
  return out;
}

/** Every rule an edge breaks, as one line each (empty: it is allowed). */
export function violations(edges: readonly Edge[]): string[] {
  const bad: string[] = [];
  const folder = (p: string): string => p.split('/').slice(0, 2).join('/'); // src/<folder>
  for (const { from, to } of edges) {
    if (!from.startsWith('src/') || !to.startsWith('src/')) continue;
    const f = folder(from),
      t = folder(to);
    if (f === 'src/tensor' && t !== 'src/tensor' && t !== 'src/kernels') bad.push(`${from} → ${to}: src/tensor/ may import only tensor/ and kernels/`);
    if (f === 'src/kernels' && t !== 'src/kernels') bad.push(`${from} → ${to}: src/kernels/ imports nothing above it`);
    if (f === 'src/io' && t !== 'src/io') bad.push(`${from} → ${to}: src/io/ imports nothing above it`);
    if (f !== 'src/kernels' && t === 'src/kernels' && !KERNELS_PUBLIC.has(to))
      bad.push(`${from} → ${to}: outside src/kernels/ import only ${[...KERNELS_PUBLIC].join(' or ')}`);
    if (t === 'src/cli' && f !== 'src/cli' && !from.endsWith('.test.ts')) bad.push(`${from} → ${to}: nothing imports src/cli/`);
    if (t === 'src/sweeps' && f !== 'src/sweeps' && f !== 'src/cli')
      bad.push(`${from} → ${to}: only src/cli/ imports src/sweeps/ (sweeps sit between experiments/ and cli/)`);
  }
  return bad;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? sourceFiles(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

function edgesOfSrc(): Edge[] {
  return sourceFiles(join(ROOT, 'src')).flatMap((file) =>
    importSpecifiers(readFileSync(file, 'utf8')).map((spec) => ({
      from: relative(ROOT, file).split('\\').join('/'),
      to: relative(ROOT, resolve(dirname(file), spec))
        .split('\\')
        .join('/'),
    })),
  );
}

test('the checker finds static, type-only, re-export, side-effect and dynamic imports', () => {
  const src = `import { a } from './a.ts';\nimport type { B } from "../b/b.ts";\nexport * from './c.ts';\nimport './d.ts';\nconst e = await import('../e.ts');\nimport x from 'node:fs';`;
  assert.deepEqual(importSpecifiers(src), ['./a.ts', '../b/b.ts', './c.ts', './d.ts', '../e.ts']);
});

test('the checker fails on each forbidden arrow and passes the allowed ones', () => {
  const bad: Edge[] = [
    { from: 'src/tensor/primitives.ts', to: 'src/linalg/accelerated.ts' },
    { from: 'src/kernels/wasm.ts', to: 'src/linalg/dense.ts' },
    { from: 'src/optim/kfac.ts', to: 'src/kernels/js.ts' },
    { from: 'src/tensor/ops.ts', to: 'src/kernels/native.ts' },
    { from: 'src/experiments/reproduce.ts', to: 'src/sweeps/pool.ts' },
    { from: 'src/sweeps/run-sweep.ts', to: 'src/cli/main.ts' },
  ];
  const found = violations(bad);
  assert.equal(found.length, 6, found.join('\n'));
  assert.match(found[4]!, /only src\/cli\/ imports src\/sweeps\//);
  assert.match(found[5]!, /nothing imports src\/cli\//);
  assert.match(found[0]!, /src\/tensor\/ may import only/);
  assert.match(found[1]!, /imports nothing above it/);
  assert.match(found[2]!, /outside src\/kernels\/ import only/);
  assert.match(violations([{ from: 'src/io/atomic-write.ts', to: 'src/train/checkpoint.ts' }])[0]!, /src\/io\/ imports nothing above it/);
  const good: Edge[] = [
    { from: 'src/train/checkpoint.ts', to: 'src/io/atomic-write.ts' },
    { from: 'src/report/write-report.ts', to: 'src/io/atomic-write.ts' },
    { from: 'src/tensor/primitives.ts', to: 'src/kernels/backend.ts' },
    { from: 'src/tensor/ops.ts', to: 'src/kernels/kernels.ts' },
    { from: 'src/kernels/wasm.ts', to: 'src/kernels/js.ts' },
    { from: 'src/optim/kfac.ts', to: 'src/tensor/ops.ts' },
    { from: 'src/linalg/index.ts', to: 'src/tensor/trace.ts' },
    { from: 'src/cli/sweep-command.ts', to: 'src/sweeps/run-sweep.ts' },
    { from: 'src/sweeps/run-sweep.ts', to: 'src/experiments/run-folder.ts' },
  ];
  assert.deepEqual(violations(good), []);
});

test('every import under src/ points downwards', () => {
  const edges = edgesOfSrc();
  assert.ok(edges.length > 200, `only ${edges.length} imports found: the parser is broken`);
  assert.deepEqual(violations(edges), []);
});
