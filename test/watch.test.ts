/** `trainscope watch` on a running run: records appear while it runs, and watch exits when it ends. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatRecord, watchRun } from '../src/experiments/watch.ts';
import { PARTIAL_METRICS, RUNNER_FILE } from '../src/experiments/run-folder.ts';
import { NODE_FLAGS } from './support/node-flags.ts';

const BIN = fileURLToPath(new URL('../bin/trainscope.js', import.meta.url));
// Under tsx the bin runs src/, never a stale dist/ (scripts/consumer-test.mjs runs the built one).
const CLI = [...NODE_FLAGS, '--import', 'tsx', BIN];
const tmp = (): string => mkdtempSync(join(tmpdir(), 'trainscope-watch-'));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const exited = (child: ChildProcess): Promise<number | null> =>
  new Promise((r) => (child.exitCode !== null ? r(child.exitCode) : child.on('exit', (c) => r(c))));

async function waitFor(path: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 600 && !existsSync(path); i++) {
    if (child.exitCode !== null) throw new Error(`the run exited (${child.exitCode}) before writing ${path}`);
    await sleep(50);
  }
  assert.ok(existsSync(path), `${path} never appeared`);
}

/** Run one of the test experiments in a child process (it logs a record every `delayMs`). */
function spawnRun(dir: string, which: 'countingExperiment' | 'failingExperiment', cfg: Record<string, number>): ChildProcess {
  const url = (p: string): string => new URL(p, import.meta.url).href;
  const script = `
    const { initRunDir, executeRun } = await import(${JSON.stringify(url('../src/experiments/run-folder.ts'))});
    const t = await import(${JSON.stringify(url('./support/test-experiments.ts'))});
    const exp = t.${which}('test/watched');
    initRunDir(${JSON.stringify(dir)}, exp, ${JSON.stringify(cfg)}, 'small', 0);
    await executeRun(${JSON.stringify(dir)}, exp, { progress: () => {}, signal: new AbortController().signal }).catch(() => process.exit(3));`;
  return spawn(process.execPath, [...NODE_FLAGS, '--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'ignore', 'inherit'] });
}

test('watchRun prints records as they are logged, before the run ends, and returns at completion', async () => {
  const dir = join(tmp(), 'run');
  const child = spawnRun(dir, 'countingExperiment', { steps: 12, delayMs: 150 });
  await waitFor(join(dir, 'manifest.json'), child);
  const lines: { text: string; childRunning: boolean; status: string }[] = [];
  const r = await watchRun(dir, {
    intervalMs: 40,
    write: (t) => {
      const status = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')).status as string;
      for (const text of t.split('\n').filter(Boolean)) lines.push({ text, childRunning: child.exitCode === null, status });
    },
  });
  assert.equal(await exited(child), 0);
  assert.equal(r.status, 'complete');
  assert.equal(r.records, 12);
  const recordLines = lines.filter((l) => l.text.startsWith('step='));
  assert.deepEqual(
    recordLines.map((l) => l.text),
    readFileSync(join(dir, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => formatRecord(JSON.parse(l))),
  );
  // Streamed: most records were printed while the stage (hence metrics.jsonl) was still open.
  const early = recordLines.filter((l) => l.childRunning && l.status === 'running').length;
  assert.ok(early >= 6, `only ${early} of 12 records were seen while the run was running`);
  assert.ok(
    lines.some((l) => /^\[count\] \d+\/12 \d+% loss /.test(l.text)),
    'progress lines',
  );
  assert.match(lines.at(-1)!.text, /^run complete in [\d.]+s: 12 records$/);
  assert.ok(!existsSync(join(dir, 'metrics.partial.jsonl')), 'the partial copy is removed at completion');
});

test('watchRun returns "failed" with the error when the run fails', async () => {
  const dir = join(tmp(), 'run');
  const child = spawnRun(dir, 'failingExperiment', {});
  await waitFor(join(dir, 'manifest.json'), child);
  const out: string[] = [];
  const r = await watchRun(dir, { intervalMs: 40, write: (t) => out.push(t) });
  assert.equal(await exited(child), 3);
  assert.equal(r.status, 'failed');
  assert.match(out.join(''), /run failed: injected failure: the loss diverged at step 1\n$/);
  assert.match(readFileSync(join(dir, 'metrics.partial.jsonl'), 'utf8'), /"step":1/, 'a failed run keeps what it streamed');
});

test('trainscope watch follows a CLI run of the baseline to its end; a non-run folder is a one-line error', async () => {
  const dir = join(tmp(), 'run');
  const run = spawn(
    process.execPath,
    [...CLI, 'run', 'baselines/mnist-mlp', '--preset', 'smoke', '--set', 'steps=60', '--set', 'optimizers=["sgd","adam"]', '--out', dir],
    { stdio: 'ignore' },
  );
  await waitFor(join(dir, 'manifest.json'), run);
  const watch = spawn(process.execPath, [...CLI, 'watch', dir, '--interval', '100'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  watch.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  const [runCode, watchCode] = await Promise.all([exited(run), exited(watch)]);
  assert.equal(runCode, 0);
  assert.equal(watchCode, 0, stdout);
  assert.match(stdout, /^watching baselines\/mnist-mlp \(preset smoke, seed 0\)/);
  assert.match(stdout, /^step=10 optimizer=sgd epoch=\S+ loss=/m);
  assert.match(stdout, /^step=60 optimizer=adam .*testAccuracy=/m);
  const metrics = readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').length;
  assert.match(stdout, new RegExp(`run complete in [\\d.]+s: ${metrics} records\\n$`));

  const bad = spawnSync(process.execPath, [...CLI, 'watch', tmp()], { encoding: 'utf8' });
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /^trainscope watch: .* is not a run folder \(no manifest\.json\)\n$/);
});

test('a run killed with SIGKILL: watch says its process is gone instead of waiting forever; resume is refused only while it lives', async () => {
  const { executeRun } = await import('../src/experiments/run-folder.ts');
  const { countingExperiment } = await import('./support/test-experiments.ts');
  const dir = join(tmp(), 'run');
  // 200 steps of 50 ms: long enough that the kill lands mid-run even when a loaded machine is slow to start watching.
  const child = spawnRun(dir, 'countingExperiment', { steps: 200, delayMs: 50 });
  // The partial metrics file is made inside executeRun, under the lock it holds to the end (the
  // lock alone may still be initRunDir's, taken and released before the manifest is complete).
  await waitFor(join(dir, PARTIAL_METRICS), child);
  assert.ok(existsSync(join(dir, RUNNER_FILE)));
  const exp = countingExperiment('test/watched');
  await assert.rejects(
    executeRun(dir, exp, { progress: () => {}, signal: new AbortController().signal }),
    /is being run by process \d+; follow it with trainscope watch/,
  );
  const out: string[] = [];
  const watching = watchRun(dir, { intervalMs: 40, write: (t) => out.push(t) });
  const deadline = Date.now() + 60_000;
  while (!out.some((l) => l.startsWith('step='))) {
    assert.ok(Date.now() < deadline, 'watch printed no record within 60 s');
    await sleep(20);
  }
  child.kill('SIGKILL');
  await exited(child);
  const r = await watching;
  assert.equal(r.status, 'interrupted');
  assert.match(out.at(-1)!, /its process is gone and the folder was left 'running'; continue it with trainscope run --resume/);
  const resumed = await executeRun(dir, exp, { progress: () => {}, signal: new AbortController().signal });
  assert.equal(resumed.manifest.status, 'complete');
});
