/**
 * Sweep benchmarks for `npm run bench` (fields under "sweeps"):
 * - sweep8_jobs1_s / sweep8_jobs2_s: wall seconds of one 8-cell sweep (the MNIST MLP baseline's
 *   smoke preset with Adam only and 600 steps, about 2 s of CPU a cell; 4 learning rates × 2 seeds)
 *   on a worker-thread pool of 1 and of 2
 *   threads, pool start-up, cell reports and the sweep report included; best of BENCH_SWEEP_REPS
 *   (default 2). sweep8_speedup = jobs1 / jobs2.
 * - queue_overhead_ms: per cell, what the BullMQ path adds between submitting a cell and its
 *   result being written under the sweep folder, on loopback: 20 tiny cells through a queue
 *   worker (one thread) minus the same cells on a local pool of one thread, divided by 20. Needs
 *   redis-server (skipped with a note without it).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSweep } from '../src/sweeps/run-sweep.ts';
import { poolExecutor } from '../src/sweeps/pool.ts';
import { queueExecutor } from '../src/sweeps/queue-executor.ts';
import { startQueueWorker } from '../src/sweeps/queue-worker.ts';
import { startTestRedis, REDIS_SKIP } from '../src/sweeps/redis-test-server.ts';
import type { CellExecutor } from '../src/sweeps/executor.ts';
import type { SweepSpec } from '../src/sweeps/spec.ts';

const signal = new AbortController().signal;
const TEST_MODULE = new URL('../src/sweeps/test-experiments.ts', import.meta.url).href;

const SWEEP8: SweepSpec = {
  experiment: 'baselines/mnist-mlp', preset: 'smoke', sets: ['optimizers=["adam"]', 'steps=600', 'evalEvery=100'],
  axes: { grid: { adamLr: [1e-3, 2e-3, 4e-3, 8e-3] } }, seeds: [0, 1],
};

async function timedSweep(spec: SweepSpec, executor: () => Promise<CellExecutor> | CellExecutor, module?: string): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'ts-bench-sweep-'));
  const t0 = performance.now();
  const ex = await executor();
  try {
    const r = await runSweep({ dir, spec, experiment: { id: spec.experiment, ...(module ? { module } : {}) }, executor: ex, signal });
    const bad = r.sweep.cells.filter((c) => c.status !== 'complete');
    if (bad.length) throw new Error(`bench sweep: ${bad.length} cells did not complete (${bad[0]!.error ?? bad[0]!.status})`);
  } finally {
    await ex.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return (performance.now() - t0) / 1000;
}

async function best(reps: number, f: () => Promise<number>): Promise<number> {
  let b = Infinity;
  for (let i = 0; i < reps; i++) b = Math.min(b, await f());
  return b;
}

async function queueOverheadMs(log: (m: string) => void): Promise<number | null> {
  const redis = await startTestRedis();
  if (!redis) {
    log(`  queue_overhead_ms skipped: ${REDIS_SKIP}`);
    return null;
  }
  const n = 20;
  const cells = (seed0: number): SweepSpec => ({ experiment: 'test/counting', preset: 'smoke', sets: ['steps=1'], axes: { list: [{}] }, seeds: Array.from({ length: n }, (_, i) => seed0 + i) });
  const worker = await startQueueWorker({ url: redis.url, jobs: 1 });
  try {
    const pool = poolExecutor(1);
    try {
      // Warm both paths (thread start-up, module loading) on cells of their own before timing.
      await timedSweep({ ...cells(1000), seeds: [999] }, () => pool, TEST_MODULE).catch(() => 0);
      await timedSweep({ ...cells(1000), seeds: [998] }, () => queueExecutor(redis.url), TEST_MODULE);
      let bestDiff = Infinity;
      for (let rep = 0; rep < 3; rep++) {
        const local = await timedSweep(cells(rep * 100), () => ({ ...pool, close: async () => {} }), TEST_MODULE);
        const queued = await timedSweep(cells(10_000 + rep * 100), () => queueExecutor(redis.url), TEST_MODULE);
        bestDiff = Math.min(bestDiff, ((queued - local) * 1000) / n);
      }
      return bestDiff;
    } finally {
      await pool.close();
    }
  } finally {
    await worker.close();
    await redis.stop();
  }
}

export async function sweepBench(log: (m: string) => void): Promise<Record<string, number | null>> {
  const reps = Number(process.env['BENCH_SWEEP_REPS'] ?? 2);
  const round = (x: number): number => Math.round(x * 1000) / 1000;
  log('bench: sweeps (8 cells of the MNIST MLP smoke run, --jobs 1 vs 2)');
  const jobs1 = await best(reps, () => timedSweep(SWEEP8, () => poolExecutor(1)));
  log(`  --jobs 1: ${round(jobs1)} s`);
  const jobs2 = await best(reps, () => timedSweep(SWEEP8, () => poolExecutor(2)));
  log(`  --jobs 2: ${round(jobs2)} s (speed-up ${round(jobs1 / jobs2)}×)`);
  const overhead = await queueOverheadMs(log);
  if (overhead !== null) log(`  queue overhead: ${round(overhead)} ms per cell`);
  return { sweep8_jobs1_s: round(jobs1), sweep8_jobs2_s: round(jobs2), sweep8_speedup: round(jobs1 / jobs2), queue_overhead_ms: overhead === null ? null : round(overhead) };
}

// `tsx bench/sweeps.ts` runs these alone.
if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write(`${JSON.stringify(await sweepBench((m) => void process.stderr.write(`${m}\n`)))}\n`);
}
