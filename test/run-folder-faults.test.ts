/**
 * Fault injection on run folders through the CLI: a write that fails half-way (an injected short
 * write or ENOSPC, through io/atomic-write.ts's test seam: mounting a small tmpfs needs privileges
 * tests cannot count on), kill -9 at random moments, a corrupt newest checkpoint, two processes on
 * one folder. Every case ends in a resume whose metrics equal an uninterrupted run's byte for byte.
 *
 * The fast suite kills 3 times; TRAINSCOPE_FAULT_LONG=1 (set by .ci/run for one extra
 * invocation) kills 20 times on a longer run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, truncateSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as random from '../src/tensor/random.ts';
import { cli, listTree, lockPid, manifestOf, readText, referenceMetrics, runArgs, sleep, start, tmp, waitUntil } from './fixtures/run-cli.ts';

const LONG = process.env['TRAINSCOPE_FAULT_LONG'] === '1';
/** Long enough for kills to land mid-run and for a second process to find the first still running (~3 s of work). */
const ARGS = runArgs(LONG ? 1000 : 400);
/** For the write faults, which need only a few checkpoints and no timing. */
const SHORT = runArgs(60);
const TEMP = /\.tmp-\d+$/;

/** A finished folder: complete, unlocked, no temp files, only the last checkpoint per stage, metrics as uninterrupted. */
function assertCleanComplete(dir: string, reference: string): void {
  assert.equal(manifestOf(dir)['status'], 'complete');
  assert.equal(readText(join(dir, 'metrics.jsonl')), reference, 'byte-identical metrics');
  const files = listTree(dir);
  assert.deepEqual(
    files.filter((f) => TEMP.test(f) || f.startsWith('.lock')),
    [],
    'no lock, no temp files',
  );
  assert.deepEqual(
    files.filter((f) => f.endsWith('.prev')),
    [],
    'previous checkpoints pruned at completion',
  );
}

/** Kill delays (ms after the run holds its folder) from a PRNG key: the same schedule every time. */
const killSchedule = (n: number, seed: number, maxMs: number): number[] =>
  Array.from(random.uniform(random.key(seed), [n], { low: 0, high: maxMs }).data, (v) => Math.floor(v));

test(`kill -9 at ${LONG ? 20 : 3} random moments, then resume: byte-identical metrics`, { timeout: 600_000 }, async () => {
  const reference = referenceMetrics(ARGS);
  const dir = join(tmp(), 'killed');
  let kills = 0;
  for (const delay of killSchedule(LONG ? 20 : 3, 20261130, 400)) {
    const fresh = !existsSync(join(dir, 'manifest.json'));
    const s = start(fresh ? [...ARGS, '--out', dir] : ['run', '--resume', dir]);
    // From the moment this process holds the folder (its manifest written): a random moment of its work.
    const running = await waitUntil(() => lockPid(dir) === s.child.pid && existsSync(join(dir, 'manifest.json')), s);
    if (!running) break; // it finished on its own
    await sleep(delay);
    if (!s.child.kill('SIGKILL')) break;
    const { signal } = await s.exit;
    if (signal !== 'SIGKILL') break; // it completed just before the kill
    kills++;
  }
  assert.ok(kills >= (LONG ? 15 : 2), `only ${kills} kills landed mid-run`);
  assert.match(manifestOf(dir)['status'], /running|incomplete/);
  const r = cli(['run', '--resume', dir]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /locked by process \d+ .*which is gone; took the lock over/, 'the stale lock of the last killed process is reported');
  assertCleanComplete(dir, reference);
  const resumes = manifestOf(dir)['resumes'] as { backend: string; gitSha: string; node: string }[];
  assert.ok(resumes.length >= 1 && resumes.every((x) => x.node === process.version && typeof x.gitSha === 'string'));
});

for (const [name, fault] of [
  // <path contains>:<fail after this many bytes>:<how>:<matching writes that succeed first>
  ['a checkpoint (ENOSPC half-way)', 'checkpoints/adam.json:300000:enospc:3'],
  ['a checkpoint (short write)', 'checkpoints/sgd.json:100000:short:2'],
  ['a stage file (ENOSPC)', 'stages/sgd.json:1000:enospc:0'],
  ['the manifest (ENOSPC)', 'manifest.json:100:enospc:1'],
] as const) {
  test(`a write of ${name} failing half-way: one line naming the file, the previous good file intact, resume needs no hand-editing`, {
    timeout: 300_000,
  }, () => {
    const reference = referenceMetrics(SHORT);
    const dir = join(tmp(), 'full-disk');
    const r = cli([...SHORT, '--out', dir], { env: { TRAINSCOPE_TEST_WRITE_FAULT: fault } });
    assert.equal(r.status, 1, r.stderr);
    const lines = r.stderr
      .trim()
      .split('\n')
      .filter((l) => !/^(sgd|adam): /.test(l));
    assert.equal(lines.length, 1, r.stderr);
    assert.match(
      lines[0]!,
      /^trainscope run: cannot write \S+\.json \((ENOSPC)\): the disk is full: free space, then run again; (the previous \S+ is intact|nothing was written)$/,
    );
    assert.deepEqual(
      listTree(dir).filter((f) => TEMP.test(f)),
      [],
      'no temp file left',
    );
    const target = join(dir, fault.split(':')[0]!);
    if (existsSync(target)) assert.doesNotThrow(() => JSON.parse(readText(target)), 'the previous good file is whole');
    // The folder says what happened (or, when the manifest itself could not be written, shows as interrupted).
    assert.match(manifestOf(dir)['status'], /failed|running/);
    const resumed = cli(['run', '--resume', dir]);
    assert.equal(resumed.status, 0, resumed.stderr);
    assertCleanComplete(dir, reference);
  });
}

test('a corrupt newest checkpoint: resume falls back to the previous good one by itself, with one line saying so', { timeout: 300_000 }, async () => {
  const reference = referenceMetrics(ARGS);
  const dir = join(tmp(), 'corrupt');
  const s = start([...ARGS, '--out', dir]);
  const cp = join(dir, 'checkpoints', 'adam.json');
  assert.ok(await waitUntil(() => existsSync(`${cp}.prev`), s), 'the run reached a second adam checkpoint');
  s.child.kill('SIGKILL');
  await s.exit;
  truncateSync(cp, Math.floor(statSync(cp).size / 2)); // what a disk that lied would leave
  const r = cli(['run', '--resume', dir]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /checkpoint \S+adam\.json: corrupt \(not valid JSON; \d+ bytes\); resuming from the previous good checkpoint \S+adam\.json\.prev/);
  assertCleanComplete(dir, reference);
});

test('two concurrent run --resume of one folder: one runs, the other exits with the lock error; metrics.jsonl has no duplicated line', {
  timeout: 300_000,
}, async () => {
  const reference = referenceMetrics(ARGS);
  const dir = join(tmp(), 'twice');
  const first = start([...ARGS, '--out', dir]);
  assert.ok(await waitUntil(() => existsSync(join(dir, 'checkpoints', 'sgd.json')), first));
  first.child.kill('SIGKILL');
  await first.exit;
  const [a, b] = [start(['run', '--resume', dir]), start(['run', '--resume', dir])];
  const results = await Promise.all([a.exit, b.exit]);
  const ok = results.filter((x) => x.code === 0);
  const refused = results.filter((x) => x.code !== 0);
  assert.equal(ok.length, 1, results.map((x) => x.stderr).join('\n---\n'));
  assert.equal(refused.length, 1);
  assert.match(refused[0]!.stderr.trim(), /^trainscope run: run \S+ is being run by process \d+; follow it with trainscope watch/);
  const lines = readText(join(dir, 'metrics.jsonl')).trim().split('\n');
  assert.equal(new Set(lines).size, lines.length, 'no duplicated line');
  assertCleanComplete(dir, reference);
});

test('two concurrent run --out D with different seeds: exactly one runs, and every stage file is of its seed', { timeout: 300_000 }, async () => {
  const dir = join(tmp(), 'race');
  const runs = [start([...ARGS, '--seed', '1', '--out', dir]), start([...ARGS, '--seed', '2', '--out', dir])];
  const results = await Promise.all(runs.map((s) => s.exit));
  assert.equal(results.filter((x) => x.code === 0).length, 1, results.map((x) => x.stderr).join('\n---\n'));
  const loser = results.find((x) => x.code !== 0)!;
  assert.match(loser.stderr.trim(), /^trainscope run: (run \S+ is being run by process \d+|output directory \S+ already holds a run)/);
  const seed = manifestOf(dir)['seed'] as number;
  assert.equal(readText(join(dir, 'metrics.jsonl')), referenceMetrics([...ARGS, '--seed', String(seed)]));
  for (const f of readdirSync(join(dir, 'stages'))) assert.equal(JSON.parse(readText(join(dir, 'stages', f)))['seed'], seed, f);
});

test('SIGTERM and SIGHUP stop a run like Ctrl-C: marked incomplete, lock released, resume completes', { timeout: 300_000 }, async () => {
  const reference = referenceMetrics(ARGS);
  for (const sig of ['SIGTERM', 'SIGHUP'] as const) {
    const dir = join(tmp(), sig);
    const s = start([...ARGS, '--out', dir]);
    assert.ok(await waitUntil(() => existsSync(join(dir, 'checkpoints', 'sgd.json')), s));
    s.child.kill(sig);
    const { code, stderr } = await s.exit;
    assert.equal(code, 130, stderr);
    assert.match(stderr, new RegExp(`${sig}: stopping at the next step boundary`));
    assert.equal(manifestOf(dir)['status'], 'incomplete');
    assert.ok(!existsSync(join(dir, '.lock')));
    const r = cli(['run', '--resume', dir]);
    assert.equal(r.status, 0, r.stderr);
    assertCleanComplete(dir, reference);
  }
});
