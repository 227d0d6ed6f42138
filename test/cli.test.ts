/** The CLI end to end: runs, determinism, interrupt + resume, reproduce, and one-line errors. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXPERIMENTS } from '../src/experiments/registry.ts';
import { NODE_FLAGS } from './support/node-flags.ts';

const BIN = fileURLToPath(new URL('../bin/trainscope.js', import.meta.url));
// Under tsx the bin runs src/, never a stale dist/ (scripts/consumer-test.mjs runs the built one).
const CLI = [...NODE_FLAGS, '--import', 'tsx', BIN];
const tmp = (): string => mkdtempSync(join(tmpdir(), 'trainscope-cli-'));
const cli = (...args: string[]) => spawnSync(process.execPath, [...CLI, ...args], { encoding: 'utf8', timeout: 120_000 });

function oneLineError(r: ReturnType<typeof cli>, ...parts: RegExp[]): void {
  assert.notEqual(r.status, 0, 'must exit non-zero');
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line on stderr, got:\n${r.stderr}`);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  for (const p of parts) assert.match(lines[0]!, p);
}

test('--version, --help everywhere, list and doctor', () => {
  assert.match(cli('--version').stdout, /^\d+\.\d+\.\d+\n$/);
  for (const cmd of ['list', 'run', 'report', 'reproduce', 'doctor', 'watch']) {
    const r = cli(cmd, '--help');
    assert.equal(r.status, 0);
    assert.match(r.stdout, /^Usage: trainscope/);
  }
  const list = JSON.parse(cli('list', '--json').stdout) as { id: string }[];
  assert.deepEqual(
    list.map((e) => e.id),
    EXPERIMENTS.map((e) => e.id),
  );
  const doctor = JSON.parse(cli('doctor', '--json').stdout) as Record<string, unknown>;
  assert.equal(doctor['node'], process.version);
  assert.equal(doctor['defaultDtype'], 'float64');
  assert.ok(typeof doctor['backend'] === 'string');
});

test('bad input: one-line errors and a non-zero exit', () => {
  oneLineError(cli('run', 'nope/missing'), /unknown experiment 'nope\/missing'/, /baselines\/mnist-mlp/);
  oneLineError(cli('run', 'baselines/mnist-mlp', '--set', 'stpes=3'), /unknown config key 'stpes'/, /did you mean 'steps'/, /allowed keys: .*batchSize/);
  oneLineError(cli('run', 'baselines/mnist-mlp', '--set', 'batchSize=0'), /batchSize/, /0/);
  oneLineError(cli('run', 'baselines/mnist-mlp', '--set', 'targetAccuracy=1.5'), /targetAccuracy/);
  oneLineError(cli('run', 'baselines/mnist-mlp', '--preset', 'huge'), /--preset must be one of smoke, small, paper/);
  oneLineError(cli('run', 'baselines/mnist-mlp', '--bogus'), /unknown option --bogus/);
  const file = join(tmp(), 'a-file');
  writeFileSync(file, 'x');
  oneLineError(cli('run', 'baselines/mnist-mlp', '--preset', 'smoke', '--out', join(file, 'run')), /output directory .*a-file\/run is not writable/);
  const cfg = join(tmp(), 'cfg.json');
  writeFileSync(cfg, JSON.stringify({ hiden: 3 }));
  oneLineError(cli('run', 'baselines/mnist-mlp', '--config', cfg), /unknown config key 'hiden'/, /did you mean 'hidden'/);
  oneLineError(cli('report', tmp()), /not a run folder/);
  oneLineError(cli('frobnicate'), /unknown command 'frobnicate'/);
});

test('the same seed twice gives byte-identical metrics.jsonl; the folder is complete', () => {
  const a = join(tmp(), 'a');
  const b = join(tmp(), 'b');
  for (const dir of [a, b]) assert.equal(cli('run', 'baselines/mnist-mlp', '--preset', 'smoke', '--seed', '5', '--out', dir).status, 0);
  assert.equal(readFileSync(join(a, 'metrics.jsonl'), 'utf8'), readFileSync(join(b, 'metrics.jsonl'), 'utf8'));
  for (const f of ['manifest.json', 'config.json', 'summary.json', 'report.html', 'report.md']) assert.ok(existsSync(join(a, f)), f);
  assert.equal(JSON.parse(readFileSync(join(a, 'manifest.json'), 'utf8')).status, 'complete');
  const summary = JSON.parse(readFileSync(join(a, 'summary.json'), 'utf8'));
  assert.ok(summary.claims.length > 0 && summary.claims.every((c: { pass: unknown }) => typeof c.pass === 'boolean'));
});

test('Ctrl-C mid-run marks the folder incomplete; --resume finishes it with identical metrics', async () => {
  const full = join(tmp(), 'full');
  const cut = join(tmp(), 'cut');
  const args = ['run', 'baselines/mnist-mlp', '--preset', 'smoke', '--set', 'steps=150', '--set', 'optimizers=["sgd","kfac"]'];
  assert.equal(cli(...args, '--out', full).status, 0);
  const child = spawn(process.execPath, [...CLI, ...args, '--out', cut], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  const code = await new Promise<number | null>((resolve) => {
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      // Interrupt once K-FAC (the second stage) is under way.
      if (/kfac/.test(stderr) && !child.killed) child.kill('SIGINT');
    });
    child.on('exit', (c) => resolve(c));
  });
  assert.equal(code, 130, stderr);
  assert.match(stderr, /trainscope run --resume/);
  assert.equal(JSON.parse(readFileSync(join(cut, 'manifest.json'), 'utf8')).status, 'incomplete');
  assert.ok(!existsSync(join(cut, 'summary.json')) && !existsSync(join(cut, 'report.html')), 'an incomplete run has no summary or report');
  const r = cli('run', '--resume', cut);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(readFileSync(join(cut, 'metrics.jsonl'), 'utf8'), readFileSync(join(full, 'metrics.jsonl'), 'utf8'));
  oneLineError(cli('run', '--resume', cut), /already complete/);
});

test('reproduce --preset smoke runs every registered experiment and writes index.html', () => {
  const out = join(tmp(), 'repro');
  const r = cli('reproduce', '--preset', 'smoke', '--out', out);
  assert.equal(r.status, 0, r.stderr);
  const index = readFileSync(join(out, 'index.html'), 'utf8');
  for (const e of EXPERIMENTS) {
    assert.ok(index.includes(`${e.id}/report.html`), `index links ${e.id}`);
    assert.ok(existsSync(join(out, e.id, 'report.html')));
  }
  const again = cli('reproduce', '--preset', 'smoke', '--out', out);
  assert.equal(again.status, 0, 'a second reproduce reuses the complete runs');
});

test('reproduce: an experiment that fails is marked failed in index.html and the exit code is non-zero', () => {
  const out = join(tmp(), 'repro-fail');
  // A folder holding a run of another config makes baselines/mnist-mlp fail without running it.
  const dir = join(out, 'baselines', 'mnist-mlp');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ experiment: 'baselines/mnist-mlp', seed: 0, status: 'complete' }));
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ steps: 1 }));
  const r = cli('reproduce', '--preset', 'smoke', '--out', out);
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /baselines\/mnist-mlp failed: .*holds a run with a different config or seed/);
  assert.match(r.stdout, new RegExp(`${EXPERIMENTS.length} experiments? \\(1 failed\\)`)); // the others still ran
  const index = readFileSync(join(out, 'index.html'), 'utf8');
  assert.match(index, /badge status ">failed</);
  assert.match(index, /holds a run with a different config or seed/);
});

test("dataset=fashion-mnist and dtype=float32: --set trains the baseline on Debian's Fashion-MNIST in float32; mnist sizes are checked", {
  skip: !existsSync('/usr/share/datasets/fashion-mnist') && 'dataset-fashion-mnist not installed',
}, () => {
  const dir = join(tmp(), 'fashion');
  const r = cli(
    'run',
    'baselines/mnist-mlp',
    '--preset',
    'smoke',
    '--set',
    'dataset=fashion-mnist',
    '--set',
    'dtype=float32',
    '--set',
    'optimizers=["adam"]',
    '--out',
    dir,
  );
  assert.equal(r.status, 0, r.stderr);
  assert.equal(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')).dtype, 'float32', 'the manifest records the dtype trained in');
  assert.equal(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')).dataset, 'fashion-mnist');
  assert.match(readFileSync(join(dir, 'report.md'), 'utf8'), /Fashion-MNIST images/);
  oneLineError(
    cli('run', 'baselines/mnist-mlp', '--set', 'trainSize=9000', '--set', 'testSize=2000'),
    /holds 10000 digits: trainSize \+ testSize must be at most that/,
  );
});

test('usage errors from the parser: one line, the prefix once, exit 2', () => {
  const cases: [string[], RegExp][] = [
    [['run', 'baselines/mnist-mlp', '--bogus'], /^trainscope run: unknown option --bogus \(try trainscope run --help\)$/],
    [['run', 'baselines/mnist-mlp', '--out'], /^trainscope run: --out needs a value$/],
    [['reproduce', '--out', '--json'], /^trainscope reproduce: --out needs a value/],
    [['run', 'baselines/mnist-mlp', '--backend', 'nope'], /^trainscope run: --backend must be one of js, wasm, native, got 'nope'$/],
    [['reproduce', '--backend', 'nope'], /^trainscope reproduce: --backend must be one of/],
    [['doctor', '--json=yes'], /^trainscope doctor: --json takes no value$/],
    [['list', 'extra'], /^trainscope list: unexpected argument 'extra'/],
    [['run'], /^trainscope run: expected one experiment id/],
    [['watch'], /^trainscope watch: expected one run folder$/],
  ];
  for (const [args, want] of cases) {
    const r = cli(...args);
    assert.equal(r.status, 2, `${args.join(' ')}: exit 2\n${r.stderr}`);
    oneLineError(r, want);
    assert.equal(r.stderr.match(/trainscope \w+:/g)?.length, 1, `the prefix once: ${r.stderr}`);
  }
});

test('--backend overrides TRAINSCOPE_BACKEND', () => {
  const doctor = (env: Record<string, string>, ...args: string[]) =>
    JSON.parse(spawnSync(process.execPath, [...CLI, 'doctor', '--json', ...args], { encoding: 'utf8', env: { ...process.env, ...env } }).stdout) as Record<
      string,
      unknown
    >;
  assert.equal(doctor({ TRAINSCOPE_BACKEND: 'wasm' }, '--backend', 'js')['backend'], 'js');
  assert.equal(doctor({ TRAINSCOPE_BACKEND: 'js' }, '--backend', 'wasm')['backend'], 'wasm');
  assert.equal(doctor({ TRAINSCOPE_BACKEND: 'js' })['backend'], 'js', 'without the flag the variable still rules');
});

test("list --json carries each config schema; a run folder's config.json points at its schema and is accepted back as --config", () => {
  const list = JSON.parse(cli('list', '--json').stdout) as {
    id: string;
    configKeys: string[];
    configSchema: { properties: Record<string, { default?: unknown }>; additionalProperties: boolean };
  }[];
  for (const e of list) {
    const exp = EXPERIMENTS.find((x) => x.id === e.id)!;
    assert.deepEqual(Object.keys(e.configSchema.properties).sort(), ['$schema', ...e.configKeys].sort());
    assert.equal(e.configSchema.additionalProperties, false);
    const defaults = exp.config.parse({}) as Record<string, unknown>;
    for (const k of e.configKeys) assert.deepEqual(e.configSchema.properties[k]!.default, defaults[k], `${e.id} ${k}: the schema's default is the config's`);
  }
  const dir = join(tmp(), 'first');
  assert.equal(cli('run', 'baselines/mnist-mlp', '--preset', 'smoke', '--set', 'steps=20', '--set', 'optimizers=["sgd"]', '--out', dir).status, 0);
  const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
  assert.equal(config['$schema'], './config.schema.json');
  const schema = JSON.parse(readFileSync(join(dir, 'config.schema.json'), 'utf8'));
  assert.deepEqual(schema, list.find((e) => e.id === 'baselines/mnist-mlp')!.configSchema);
  // The same file passed back: its $schema is not a config key, and the run gets the same config.
  const again = join(tmp(), 'again');
  const r = cli('run', 'baselines/mnist-mlp', '--preset', 'smoke', '--config', join(dir, 'config.json'), '--out', again, '--json');
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(readFileSync(join(again, 'config.json'), 'utf8')), config);
  assert.equal(readFileSync(join(again, 'metrics.jsonl'), 'utf8'), readFileSync(join(dir, 'metrics.jsonl'), 'utf8'));
  const report = cli('report', again, '--json');
  assert.equal(report.status, 0, report.stderr);
  const out = JSON.parse(report.stdout) as { runDir: string; report: string; claims: unknown[] };
  assert.equal(out.runDir, again);
  assert.ok(existsSync(out.report) && out.claims.length > 0);
});
