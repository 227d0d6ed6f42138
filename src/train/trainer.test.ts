import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { train, NonFiniteLossError } from './trainer.ts';
import { loadCheckpoint } from './checkpoint.ts';
import { tinyModel, tinyOptions, plainSgd } from '../../test/fixtures/tiny-training.ts';
import { Tensor, mul, sum } from '../index.ts';
import { NODE_FLAGS } from '../../test/support/node-flags.ts';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'trainscope-train-'));

test('training learns and the same seed gives byte-identical metrics', () => {
  const a = train(tinyOptions());
  const b = train(tinyOptions());
  assert.equal(JSON.stringify(a.metrics), JSON.stringify(b.metrics));
  const evals = a.metrics.filter((m) => 'testAccuracy' in m);
  assert.ok(evals.length >= 5);
  assert.ok(evals[evals.length - 1]!['testAccuracy']! > 0.8, `final test accuracy ${evals[evals.length - 1]!['testAccuracy']}`);
  const c = train(tinyOptions({ seed: 4 }));
  assert.notEqual(JSON.stringify(a.metrics), JSON.stringify(c.metrics), 'a different seed changes the run');
});

test('interrupting and resuming in-process reproduces the uninterrupted run exactly', () => {
  const dir = tmp();
  const path = join(dir, 'ckpt.json');
  const full = train(tinyOptions());
  const ac = new AbortController();
  const partial = train(tinyOptions({ checkpoint: { path, every: 5 }, signal: ac.signal, onStep: ({ step }) => step === 23 && ac.abort() }));
  assert.equal(partial.stoppedBy, 'abort');
  assert.equal(loadCheckpoint(path)['step'], 23);
  const resumed = train(tinyOptions({ checkpoint: { path, every: 5 }, resume: true }));
  assert.equal(JSON.stringify(resumed.metrics), JSON.stringify(full.metrics));
});

test('kill -9 mid-run, then resume: byte-identical metrics to an uninterrupted run', async () => {
  const dir = tmp();
  const path = join(dir, 'ckpt.json');
  const child = spawn(
    process.execPath,
    [...NODE_FLAGS, '--import', 'tsx', fileURLToPath(new URL('../../test/fixtures/train-until-killed.ts', import.meta.url)), path],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  await new Promise<void>((resolve, reject) => {
    let seen = '';
    child.stdout.on('data', (d: Buffer) => {
      seen += d.toString();
      if (/step 4\d\n/.test(seen)) child.kill('SIGKILL');
    });
    child.on('exit', () => resolve());
    child.on('error', reject);
  });
  const killedAt = loadCheckpoint(path)['step'] as number;
  assert.ok(killedAt >= 30, `checkpoint step ${killedAt}`);
  assert.deepEqual(readdirSync(dir).filter((f) => f.includes('.tmp-')).length <= 1, true);
  const steps = killedAt + 30;
  const resumed = train(tinyOptions({ steps, checkpoint: { path, every: 1 }, resume: true }));
  const full = train(tinyOptions({ steps }));
  assert.equal(JSON.stringify(resumed.metrics), JSON.stringify(full.metrics));
});

test('a corrupt or mismatched checkpoint is refused with a clear error', () => {
  const dir = tmp();
  const path = join(dir, 'ckpt.json');
  writeFileSync(path, '{"format": "trainscope.checkpoint", "version": 1, "par');
  assert.throws(() => train(tinyOptions({ checkpoint: { path, every: 5 }, resume: true })), /ckpt\.json: corrupt/);
  writeFileSync(path, JSON.stringify({ hello: 1 }));
  assert.throws(() => train(tinyOptions({ checkpoint: { path, every: 5 }, resume: true })), /not a trainscope checkpoint/);
  train(tinyOptions({ steps: 10, checkpoint: { path, every: 5 } }));
  assert.throws(() => train(tinyOptions({ batchSize: 8, checkpoint: { path, every: 5 }, resume: true })), /different configuration/);
  const corrupt = (file: string): void => {
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    doc.params.w1.$tensor.data = doc.params.w1.$tensor.data.slice(0, 12);
    writeFileSync(file, JSON.stringify(doc));
  };
  // The newest unreadable: resume falls back to the previous good copy (step 5) by itself and ends where a fresh run ends.
  corrupt(path);
  const resumed = train(tinyOptions({ steps: 10, checkpoint: { path, every: 5 }, resume: true }));
  assert.deepEqual(resumed.metrics, train(tinyOptions({ steps: 10 })).metrics);
  corrupt(path);
  corrupt(`${path}.prev`);
  assert.throws(
    () => train(tinyOptions({ checkpoint: { path, every: 5 }, resume: true })),
    /corrupt.*w1.*and its previous copy too.*delete both to restart this stage/,
  );
  // A checkpoint whose meta (the run folder's config hash and seed) differs belongs to another run.
  const other = join(dir, 'meta.json');
  train(tinyOptions({ steps: 5, checkpoint: { path: other, every: 5, meta: { configHash: 'aaaa', seed: 1 } } }));
  assert.throws(
    () => train(tinyOptions({ steps: 5, checkpoint: { path: other, every: 5, meta: { configHash: 'aaaa', seed: 2 } }, resume: true })),
    /written by another run \(seed 1, this run 2\)/,
  );
});

test('NaN guard stops with a clear message and keeps the last good checkpoint', () => {
  const dir = tmp();
  const path = join(dir, 'ckpt.json');
  let calls = 0;
  // A loss that turns NaN on the 13th step.
  const loss = (out: Tensor, _y: Tensor): Tensor => (++calls === 13 ? mul(sum(out), NaN) : mul(sum(mul(out, out)), 1e-3));
  assert.throws(
    () => train(tinyOptions({ loss, optimizer: plainSgd(0.01), test: undefined, evalEvery: 0, checkpoint: { path, every: 5 } })),
    (e: Error) =>
      e instanceof NonFiniteLossError && /loss is NaN at step 12/.test(e.message) && /last good checkpoint: .*ckpt\.json \(step 10\)/.test(e.message),
  );
  const c = loadCheckpoint(path);
  assert.equal(c['step'], 10);
  assert.ok(existsSync(path));
});

test('bad input: batch larger than the dataset, bad labels', () => {
  assert.throws(() => train(tinyOptions({ batchSize: 1000 })), /batchSize 1000 is larger than the training set \(96 examples\)/);
  const o = tinyOptions();
  const y = new Tensor(
    Int32Array.from(o.train.y.data, (v, i) => (i === 5 ? 7 : v)),
    o.train.y.shape,
    'int32',
  );
  assert.throws(() => train({ ...o, train: { x: o.train.x, y } }), /label 7 .* out of range \[0, 3\)/);
  assert.throws(() => train({ ...o, steps: -1 }), /steps must be a non-negative integer/);
  void tinyModel;
});
