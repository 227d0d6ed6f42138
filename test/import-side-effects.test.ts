/**
 * Importing the package loads nothing and prints nothing: the backends load on first use of
 * `kernels()` (or `await init()`), and only then does a broken addon get its one line.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NODE_FLAGS } from './support/node-flags.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

function run(script: string, env: NodeJS.ProcessEnv): { stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [...NODE_FLAGS, '--import', 'tsx', '-e', script], { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return { stdout: r.stdout, stderr: r.stderr };
}

// Marks on stderr between the steps show where each line came from.
const PROBE = `
const w = (s) => process.stderr.write(s + '\\n');
const m = await import('./src/index.ts');
const b = await import('./src/kernels/backend.ts');
w('[imported loaded=' + b.backendsLoaded() + ']');
m.matmul(m.eye(2), m.eye(2));
w('[used ' + m.kernels().name + ']');
m.matmul(m.eye(2), m.eye(2));
w('[again]');
`;

test('importing the package prints nothing and loads no backend, even when the addon is broken; first use prints one line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'trainscope-addon-'));
  const broken = join(dir, 'trainscope_native.node');
  writeFileSync(broken, 'not a shared library');
  const env = { TRAINSCOPE_NATIVE_ADDON: broken, TRAINSCOPE_BACKEND: '' };
  const { stdout, stderr } = run(`(async () => {${PROBE}})()`, env);
  assert.equal(stdout, '');
  const lines = stderr.trimEnd().split('\n');
  assert.equal(lines[0], '[imported loaded=false]', stderr);
  assert.match(lines[1]!, /^trainscope: native kernels unavailable \(native addon failed to load .*\); using wasm$/);
  assert.equal(lines[2], '[used wasm]');
  assert.equal(lines[3], '[again]');
  assert.equal(lines.length, 4, stderr);
});

test('init() loads the backends up front and names the active one', () => {
  const { stderr } = run(
    `(async () => { const m = await import('./src/index.ts'); const b = await import('./src/kernels/backend.ts');
    process.stderr.write(String(b.backendsLoaded()) + ' ' + (await m.init()) + ' ' + String(b.backendsLoaded()) + ' ' + m.kernels().name + '\\n'); })()`,
    { TRAINSCOPE_BACKEND: 'wasm' },
  );
  assert.equal(stderr.trim(), 'false wasm true wasm');
});
