#!/usr/bin/env node
/**
 * Builds the optional native kernel backend (native/ → native/build/Release/trainscope_native.node):
 * the package's `install` script, also runnable by hand (`npm run build:native`).
 *
 * The backend is optional, so this never fails an install: when OpenBLAS/LAPACKE headers or
 * node-gyp are missing, or the build breaks, it prints one line saying why and exits 0, and
 * trainscope runs on its wasm/js kernels. Offline by design: node-gyp gets a --nodedir pointing
 * at the local Node headers whenever npm has not already configured one, so it never downloads.
 *
 * Environment:
 *   TRAINSCOPE_SKIP_NATIVE=1         skip the build
 *   TRAINSCOPE_BLAS_INCLUDE=dir:dir  where to look for cblas.h and lapacke.h (replaces the defaults)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const nativeDir = path.join(root, 'native');
const addonPath = path.join(nativeDir, 'build', 'Release', 'trainscope_native.node');
const say = (msg) => console.log(`trainscope: ${msg}`);

function main() {
  if (process.env.TRAINSCOPE_SKIP_NATIVE === '1') {
    say('TRAINSCOPE_SKIP_NATIVE=1; skipping the optional native backend');
    return;
  }
  const headers = findHeaders();
  if (!headers) {
    say('OpenBLAS/LAPACKE headers not found; skipping the optional native backend (apt-get install -y libopenblas-dev liblapacke-dev to enable it)');
    return;
  }
  const gyp = findNodeGyp();
  if (!gyp) {
    say('node-gyp not found; skipping the optional native backend (run `npm run build:native` through npm, or install node-gyp)');
    return;
  }

  const args = [...gyp.prefix, 'rebuild', '--directory', nativeDir];
  const nodedir = localNodedir();
  if (nodedir) args.push(`--nodedir=${nodedir}`);
  const env = { ...process.env };
  // Headers outside the compiler's default search path (e.g. /usr/include/openblas) and their libs.
  const extra = [...new Set([headers.cblas, headers.lapacke])].filter((d) => !DEFAULT_DIRS.has(d));
  if (extra.length > 0) {
    env.CPPFLAGS = [env.CPPFLAGS, ...extra.map((d) => `-I${d}`)].filter(Boolean).join(' ');
    const libs = extra.map((d) => path.join(d, '..', 'lib')).filter((d) => existsSync(d));
    env.LDFLAGS = [env.LDFLAGS, ...libs.flatMap((d) => [`-L${d}`, `-Wl,-rpath,${d}`])].filter(Boolean).join(' ');
  }
  const r = spawnSync(gyp.command, args, { cwd: root, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error || r.status !== 0) {
    say(`building the optional native backend failed (${failureReason(r)}); using the wasm/js kernels`);
    return;
  }
  // A built addon that cannot load (say, a runtime library missing) is reported now, not at first use.
  try {
    const info = createRequire(import.meta.url)(addonPath).info();
    say(`built the native backend (${path.relative(root, addonPath)}; ${info.blas})`);
  } catch (e) {
    say(`built ${path.relative(root, addonPath)} but it does not load (${oneLine(e instanceof Error ? e.message : String(e))}); using the wasm/js kernels`);
  }
}

const arch = { x64: 'x86_64', arm64: 'aarch64', ppc64: 'powerpc64le', s390x: 's390x', riscv64: 'riscv64' }[process.arch] ?? process.arch;
/** Directories gcc/clang search without -I (on Debian-style multiarch systems). */
const DEFAULT_DIRS = new Set(['/usr/include', `/usr/include/${arch}-linux-gnu`, '/usr/local/include']);

/**
 * The directories holding an OpenBLAS cblas.h (one declaring openblas_set_num_threads: the addon
 * needs OpenBLAS's thread control, not just any CBLAS) and lapacke.h; null if either is missing.
 */
function findHeaders() {
  const override = process.env.TRAINSCOPE_BLAS_INCLUDE;
  const dirs = override
    ? override.split(path.delimiter).filter(Boolean)
    : [
        ...DEFAULT_DIRS,
        '/usr/include/openblas',
        '/usr/include/lapacke',
        `/usr/include/${arch}-linux-gnu/openblas-pthread`,
        '/usr/local/opt/openblas/include',
        '/opt/homebrew/opt/openblas/include',
      ];
  const cblas = dirs.find((d) => {
    const f = path.join(d, 'cblas.h');
    try {
      return existsSync(f) && readFileSync(f, 'utf8').includes('openblas_set_num_threads');
    } catch {
      return false;
    }
  });
  const lapacke = dirs.find((d) => existsSync(path.join(d, 'lapacke.h')));
  return cblas && lapacke ? { cblas, lapacke } : null;
}

/**
 * node-gyp, as { command, prefix } for spawnSync: the one npm names during lifecycle scripts
 * (npm_config_node_gyp), the copy bundled with the npm next to this node, or one on PATH.
 */
function findNodeGyp() {
  const bundled = [
    process.env.npm_config_node_gyp,
    path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    path.join(path.dirname(process.execPath), 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ];
  for (const file of bundled) {
    if (!file || !existsSync(file)) continue;
    return file.endsWith('.js') ? { command: process.execPath, prefix: [file] } : { command: file, prefix: [] };
  }
  const probe = spawnSync('node-gyp', ['--version'], { encoding: 'utf8', shell: process.platform === 'win32' });
  if (!probe.error && probe.status === 0) return { command: 'node-gyp', prefix: [] };
  return null;
}

/**
 * The prefix of this node's own headers (include/node/node_api.h), unless npm already configured
 * a nodedir (npm passes it to node-gyp as npm_config_nodedir). Without either, node-gyp would try
 * to download headers.
 */
function localNodedir() {
  if (process.env.npm_config_nodedir) return null;
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  return existsSync(path.join(prefix, 'include', 'node', 'node_api.h')) ? prefix : null;
}

/** The most telling line of a failed node-gyp run: the first compiler/linker error, else gyp's. */
function failureReason(r) {
  if (r.error) return oneLine(r.error.message);
  const lines = `${r.stdout ?? ''}\n${r.stderr ?? ''}`
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const pick =
    lines.find((l) => /\berror\b/i.test(l) && !l.startsWith('gyp')) ??
    lines.find((l) => /^gyp ERR! (stack )?Error:/.test(l)) ??
    lines.find((l) => l.startsWith('gyp ERR!')) ??
    `node-gyp exited with status ${r.status}`;
  return oneLine(pick);
}

function oneLine(s) {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > 240 ? `${t.slice(0, 237)}...` : t;
}

try {
  main();
} catch (e) {
  say(`building the optional native backend failed (${oneLine(e instanceof Error ? e.message : String(e))}); using the wasm/js kernels`);
}
process.exitCode = 0;
