/**
 * The distributed executor against a real redis-server (started here at a free port, stopped
 * after) and real `trainscope worker` processes. Skipped, with the install line, without the binary.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import { runSweep } from './run-sweep.ts';
import { inlineExecutor } from './executor.ts';
import { queueExecutor } from './queue-executor.ts';
import { freePort, hasRedisServer, REDIS_SKIP, startTestRedis, type TestRedis } from '../../test/support/redis-test-server.ts';
import type { SweepSpec } from './spec.ts';
import { main } from '../cli/main.ts';
import { NODE_FLAGS } from '../../test/support/node-flags.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MODULE = new URL('../../test/support/sweep-test-experiments.ts', import.meta.url).href;
const ref = { id: 'test/counting', module: MODULE };
const signal = new AbortController().signal;
const tmp = (): string => mkdtempSync(join(tmpdir(), 'ts-queue-'));
const skip = hasRedisServer() ? false : REDIS_SKIP;

const metricsOf = (dir: string): Record<string, string> =>
  Object.fromEntries(
    readdirSync(join(dir, 'cells'))
      .sort()
      .map((c) => [c, readFileSync(join(dir, 'cells', c, 'metrics.jsonl'), 'utf8')]),
  );

/** A `trainscope worker` process; resolves once it says it is pulling cells. */
function startWorker(url: string, work: string, lines: string[]): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [...NODE_FLAGS, '--import', 'tsx', join(ROOT, 'bin/trainscope.js'), 'worker', '--queue', url, '--work', work, '--lock-ms', '1500', '--stalled-ms', '500'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  return new Promise((resolve, reject) => {
    let buf = '';
    child.stderr!.on('data', (d: Buffer) => {
      buf += d.toString();
      const parts = buf.split('\n');
      buf = parts.pop()!;
      for (const l of parts) {
        lines.push(`${child.pid} ${l}`);
        if (l.includes('pulling cells')) resolve(child);
      }
    });
    child.once('exit', (code) => reject(new Error(`worker exited (${code}) before it was ready: ${lines.join('\n')}`)));
  });
}

describe('sweeps through a BullMQ queue', { skip }, () => {
  let redis: TestRedis;
  const workers: ChildProcess[] = [];
  const lines: string[] = [];
  const work = tmp();
  before(async () => {
    redis = (await startTestRedis())!;
    workers.push(...(await Promise.all([startWorker(redis.url, work, lines), startWorker(redis.url, work, lines)])));
  });
  after(async () => {
    for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGKILL');
    await redis?.stop();
  });

  it('two worker processes give the sequential metrics byte for byte; re-submitting adds no job', async () => {
    const spec: SweepSpec = { experiment: 'test/counting', preset: 'smoke', sets: [], axes: { grid: { steps: [2, 3, 5] } }, seeds: [0, 1] };
    const seq = tmp();
    await runSweep({ dir: seq, spec, experiment: ref, executor: inlineExecutor(), signal });
    const dir = tmp();
    const ex = await queueExecutor(redis.url);
    try {
      const r = await runSweep({ dir, spec, experiment: ref, executor: ex, signal });
      assert.equal(r.ran, 6);
      assert.deepEqual(metricsOf(dir), metricsOf(seq));
      assert.ok(r.sweep.cells.every((c) => c.status === 'complete' && c.backend !== undefined));
      assert.ok(existsSync(join(dir, 'report.html')));
      // Submitted again into an empty folder: the finished jobs' results come back, no job is added.
      const again = tmp();
      const r2 = await runSweep({ dir: again, spec, experiment: ref, executor: ex, signal });
      assert.deepEqual(metricsOf(again), metricsOf(seq));
      assert.equal(r2.sweep.cells.filter((c) => c.status === 'complete').length, 6);
      const q = new Queue('trainscope', { connection: { host: '127.0.0.1', port: redis.port } });
      const counts = await q.getJobCounts('completed', 'waiting', 'active', 'failed');
      await q.close();
      assert.deepEqual(counts, { completed: 6, waiting: 0, active: 0, failed: 0, paused: 0 });
    } finally {
      await ex.close();
    }
  });

  it('SIGKILL of a worker mid-cell: the cell is re-queued and every cell is in the results exactly once', async () => {
    const spec: SweepSpec = { experiment: 'test/counting', preset: 'smoke', sets: ['delayMs=250'], axes: { grid: { steps: [6, 7, 8] } }, seeds: [0] };
    const dir = tmp();
    const ex = await queueExecutor(redis.url);
    let killed: number | undefined;
    const progress = {
      start() {},
      cellFinished() {},
      stop() {},
      cellStarted() {},
      cellProgress(_id: string, u: { step: number }) {
        // Kill the first worker once a cell it runs is past its first steps.
        if (killed === undefined && u.step >= 2) {
          const victim = workers.find((w) => lines.some((l) => l.startsWith(`${w.pid} `) && /cell .* attempt/.test(l)))!;
          killed = victim.pid;
          victim.kill('SIGKILL');
        }
      },
    };
    try {
      const r = await runSweep({ dir, spec, experiment: ref, executor: ex, signal, progress });
      assert.ok(killed !== undefined, 'a worker was killed');
      const cellOf = (l: string): string | undefined => /cell (\w+) \(/.exec(l)?.[1];
      const lost = lines
        .filter((l) => l.startsWith(`${killed} `))
        .map(cellOf)
        .filter(Boolean)
        .at(-1)!;
      assert.ok(
        lines.some((l) => !l.startsWith(`${killed} `) && cellOf(l) === lost),
        `the killed worker's cell ${lost} was run by the other worker`,
      );
      assert.deepEqual(
        r.sweep.cells.map((c) => c.status),
        ['complete', 'complete', 'complete'],
      );
      const m = metricsOf(dir);
      assert.equal(Object.keys(m).length, 3);
      // Each cell's records appear once: steps 1..n, no repeats from the killed attempt.
      for (const text of Object.values(m)) {
        const steps = text
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l).step as number);
        assert.deepEqual(
          steps,
          Array.from({ length: steps.length }, (_, i) => i + 1),
        );
      }
    } finally {
      await ex.close();
    }
  });

  it('a failing cell is retried, then shows as failed with its error', async () => {
    const dir = tmp();
    const ex = await queueExecutor(redis.url, { retries: 1 });
    try {
      const r = await runSweep({
        dir,
        spec: { experiment: 'test/failing', preset: 'smoke', sets: [], axes: { grid: { steps: [1] } }, seeds: [0] },
        experiment: { id: 'test/failing', module: MODULE },
        executor: ex,
        signal,
      });
      assert.equal(r.sweep.cells[0]!.status, 'failed');
      assert.match(r.sweep.cells[0]!.error!, /injected failure/);
      assert.equal(lines.filter((l) => /test\/failing, attempt/.test(l)).length, 2, 'one run and one retry');
      assert.match(readFileSync(join(dir, 'report.md'), 'utf8'), /1 of 1 cells failed/);
    } finally {
      await ex.close();
    }
  });
});

describe('an unreachable Redis', () => {
  it('fails with one clear line within 10 s and writes nothing', async () => {
    const port = await freePort();
    const out = join(tmp(), 'sweep');
    const t0 = performance.now();
    const errors: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((s: string) => (errors.push(String(s)), true)) as typeof process.stderr.write;
    let code: number;
    try {
      code = await main([
        'sweep',
        'test/counting',
        '--experiments',
        fileURLToPath(MODULE),
        '--preset',
        'smoke',
        '--grid',
        'steps=1,2',
        '--queue',
        `redis://127.0.0.1:${port}`,
        '--out',
        out,
      ]);
    } finally {
      process.stderr.write = write;
    }
    assert.ok(performance.now() - t0 < 10_000);
    assert.equal(code, 1);
    assert.equal(errors.length, 1, errors.join(''));
    assert.match(
      errors[0]!,
      /^trainscope sweep: cannot reach Redis at redis:\/\/127\.0\.0\.1:\d+\/0 \(ECONNREFUSED\); start one with: apt-get install -y redis-server/,
    );
    assert.equal(existsSync(out), false);
    rmSync(out, { recursive: true, force: true });
  });
});
