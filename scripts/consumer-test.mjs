#!/usr/bin/env node
/**
 * `npm run test:package` (run by .ci/run): the package as a downstream project gets it.
 *
 *   1. `npm pack --dry-run` ships no test file, no bench/, no .ci/, no TypeScript source.
 *   2. `npm pack` (its `prepare` builds dist/), then a fresh project in a temp folder installs the
 *      tarball OFFLINE: its package-lock.json is made from trainscope's own lock (the tarball plus
 *      every non-dev package at the version and integrity trainscope locks, and typescript +
 *      @types/node for the type check), so `npm ci --offline` takes every package from the npm
 *      cache that `npm ci` in this clone filled — nothing is fetched, and nothing is resolved anew.
 *      The tarball's install script builds the native addon from the shipped sources, as a user's would.
 *   3. (a) plain Node imports 'trainscope' and prints a gradient; (b) a strict TypeScript file
 *      (strict, NodeNext, noUncheckedIndexedAccess, exactOptionalPropertyTypes, skipLibCheck off)
 *      using grad, linalg.eigh, nn.mlp, optim.adam and train type-checks with zero errors;
 *      (c) `npx --no-install trainscope doctor` runs.
 * Exits non-zero with one line saying which step failed. KEEP=1 keeps the temp folder.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(new URL('.', import.meta.url)), '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const fail = (msg) => {
  console.error(`consumer-test: ${msg}`);
  process.exit(1);
};
// Node 20 can deadlock as a process ends (nodejs/node#54918, test/support/node-flags.ts): node
// runs here with --no-concurrent-recompilation, and a command that outlives TIMEOUT_MS (npx, which
// cannot take the flag) is stopped and tried once more rather than left to hang the job.
const TIMEOUT_MS = 300_000;
const sh = (cmd, args, cwd, what, retry = true) => {
  const r = spawnSync(cmd, args, {
    cwd,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
    timeout: TIMEOUT_MS,
    killSignal: 'SIGKILL',
    env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' },
  });
  if (r.error?.code === 'ETIMEDOUT') {
    if (!retry) fail(`${what} did not finish within ${TIMEOUT_MS / 1000} s, twice`);
    console.log(`consumer-test: WARNING: ${what} did not finish within ${TIMEOUT_MS / 1000} s; trying once more`);
    return sh(cmd, args, cwd, what, false);
  }
  if (r.status !== 0) fail(`${what} failed (exit ${r.status}):\n${r.stdout}${r.stderr}`);
  return r.stdout;
};
const NODE_FLAGS = ['--no-concurrent-recompilation'];

// 1. What the tarball holds.
const listing = JSON.parse(sh(npm, ['pack', '--dry-run', '--json', '--ignore-scripts'], root, 'npm pack --dry-run'))[0].files.map((f) => f.path);
const bad = listing.filter((p) => /\.test\.|^test\/|^bench\/|^\.ci\/|^src\/.*\.ts$|^examples\//.test(p));
if (bad.length) fail(`the tarball would ship ${bad.join(', ')}`);
for (const need of [
  'dist/index.js',
  'dist/index.d.ts',
  'dist/cli/main.js',
  'bin/trainscope.js',
  'src/kernels/wasm/kernels.wasm',
  'native/trainscope_native.c',
  'native/binding.gyp',
  'scripts/build-native.mjs',
  'LICENSE',
  'README.md',
]) {
  if (!listing.includes(need)) fail(`the tarball lacks ${need}`);
}
console.log(`consumer-test: npm pack --dry-run lists ${listing.length} files, none of them tests, bench/, .ci/ or sources`);

// 2. Pack and install offline into a fresh project.
const dir = mkdtempSync(join(tmpdir(), 'trainscope-consumer-'));
try {
  const packed = JSON.parse(sh(npm, ['pack', '--json', '--pack-destination', dir], root, 'npm pack'))[0].filename;
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'));
  const tgz = readFileSync(join(dir, packed));
  const devTools = { typescript: lock.packages['node_modules/typescript'].version, '@types/node': lock.packages['node_modules/@types/node'].version };
  const app = { name: 'trainscope-consumer', private: true, type: 'module', dependencies: { trainscope: `file:${packed}` }, devDependencies: devTools };
  const packages = {
    '': { name: app.name, dependencies: app.dependencies, devDependencies: devTools },
    'node_modules/trainscope': {
      version: pkg.version,
      resolved: `file:${packed}`,
      integrity: `sha512-${createHash('sha512').update(tgz).digest('base64')}`,
      hasInstallScript: true,
      license: pkg.license,
      dependencies: pkg.dependencies,
      bin: pkg.bin,
      engines: pkg.engines,
    },
  };
  // trainscope's runtime closure: every lock entry not marked dev (tsx, biome, … stay out), plus the type-check tools.
  const wanted = new Set(['node_modules/typescript', 'node_modules/@types/node', 'node_modules/undici-types']);
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (path.startsWith('node_modules/') && (!entry.dev || wanted.has(path)))
      packages[path] = { ...entry, dev: entry.dev && wanted.has(path) ? true : undefined };
  }
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(app, null, 2)}\n`);
  writeFileSync(join(dir, 'package-lock.json'), `${JSON.stringify({ name: app.name, lockfileVersion: 3, requires: true, packages }, null, 2)}\n`);
  const t0 = Date.now();
  sh(npm, ['ci', '--offline'], dir, 'npm ci --offline of the tarball (is the npm cache filled? run npm ci in the clone first)');
  console.log(`consumer-test: installed ${packed} offline into a fresh project (${((Date.now() - t0) / 1000).toFixed(1)} s)`);

  // (a) Plain Node, no TypeScript loader: d/dx Σ x³ = 3x².
  const a = sh(
    process.execPath,
    [
      ...NODE_FLAGS,
      '--input-type=module',
      '-e',
      "import('trainscope').then(({ grad, sum, mul, tensor }) => console.log(Array.from(grad((x) => sum(mul(mul(x, x), x)))(tensor([1, 2, 3])).data).join(' ')))",
    ],
    dir,
    'import from plain node',
  ).trim();
  if (a !== '3 12 27') fail(`plain node computed the gradient ${a}, expected 3 12 27`);
  console.log(`consumer-test: (a) node imports trainscope; grad of sum(x^3) at [1,2,3] = ${a}`);

  // (b) Strict TypeScript consumer.
  copyFileSync(join(root, 'test', 'consumer', 'consumer.ts'), join(dir, 'consumer.ts'));
  const tsconfig = {
    compilerOptions: {
      target: 'ES2022',
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      strict: true,
      noUncheckedIndexedAccess: true,
      exactOptionalPropertyTypes: true,
      skipLibCheck: false,
      noEmit: true,
      types: ['node'],
    },
    files: ['consumer.ts'],
  };
  writeFileSync(join(dir, 'tsconfig.json'), `${JSON.stringify(tsconfig, null, 2)}\n`);
  sh(process.execPath, [...NODE_FLAGS, join(dir, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir], dir, 'tsc on the strict consumer');
  console.log(
    'consumer-test: (b) a strict NodeNext consumer (noUncheckedIndexedAccess, exactOptionalPropertyTypes, skipLibCheck off) type-checks with 0 errors',
  );

  // (c) The CLI through npx, never the registry.
  const doctor = sh('npx', ['--no-install', 'trainscope', 'doctor'], dir, 'npx --no-install trainscope doctor');
  if (!/backend\s+(js|wasm|native)/.test(doctor)) fail(`doctor printed no backend:\n${doctor}`);
  console.log(`consumer-test: (c) npx --no-install trainscope doctor: backend ${/backend\s+(\S+)/.exec(doctor)[1]}`);
  console.log('consumer-test: 3 passed, 0 failed');
} finally {
  if (process.env.KEEP === '1') console.log(`consumer-test: kept ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
}
