/**
 * Sweep benchmarks for `npm run bench` (fields under "sweeps"):
 * - sweep8_jobs1_s / sweep8_jobs2_s: wall seconds of one 8-cell sweep (the MNIST MLP baseline's
 *   smoke preset with Adam only and BENCH_SWEEP_STEPS steps, default 600: about 0.5 s of CPU a
 *   cell; 4 learning rates × 2 seeds) on a pool of 1 and of 2 processes of the compiled package
 *   (dist/), pool start-up, cell reports and the sweep report included; best of BENCH_SWEEP_REPS
 *   (default 2) interleaved runs. sweep8_speedup = jobs1 / jobs2. sweep8_jobs{1,2}_cpu_s: CPU
 *   seconds of this process and its pool processes: on an idle machine --jobs 2 takes about
 *   (CPU − the serial part) / 2; a single Node training process already keeps ~1.3 cores busy
 *   (V8's concurrent GC and compiler threads), which bounds the speed-up two cores can give.
 * - queue_overhead_ms: per cell, what the BullMQ path adds between submitting a cell and its
 *   result being written under the sweep folder, on loopback: 20 tiny cells submitted one at a
 *   time to one queue worker; for each, submit → result written minus the worker's time inside
 *   the job (BullMQ's processedOn → finishedOn); the median. Needs redis-server (skipped with a
 *   note without it).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSweep } from '../src/sweeps/run-sweep.ts';
import { queueExecutor, submitterCode } from '../src/sweeps/queue-executor.ts';
import { startQueueWorker } from '../src/sweeps/queue-worker.ts';
import { startTestRedis, REDIS_SKIP } from '../test/support/redis-test-server.ts';
import type { CellExecutor } from '../src/sweeps/executor.ts';
import { jobIdOf } from '../src/sweeps/queue-protocol.ts';
import { Job, Queue } from 'bullmq';
import type { SweepSpec } from '../src/sweeps/spec.ts';

const signal = new AbortController().signal;

/**
 * The local-pool timings run `node bin/trainscope.js sweep … --jobs N` as a user would: the
 * compiled package (dist/), its own process and pool processes, no tsx anywhere (under tsx every
 * pool process would load TypeScript through it, ~1.5 CPU-s each that no user pays). `npm run
 * bench` builds dist/ first.
 */
const BIN = fileURLToPath(new URL('../bin/trainscope.js', import.meta.url));

function cliSweep(spec: SweepSpec, jobs: number): number {
  if (!existsSync(new URL('../dist/sweeps/pool.js', import.meta.url)))
    throw new Error('bench sweeps: dist/ is missing; run `npm run build` first (`npm run bench` does)');
  const dir = mkdtempSync(join(tmpdir(), 'ts-bench-sweep-'));
  const grid = Object.entries(spec.axes.grid ?? {}).flatMap(([k, vs]) => ['--grid', `${k}=${vs.join(',')}`]);
  const args = [BIN, 'sweep', spec.experiment, '--preset', spec.preset, ...spec.sets.flatMap((x) => ['--set', x]), ...grid];
  args.push('--seeds', spec.seeds.join(','), '--jobs', String(jobs), '--out', join(dir, 'sweep'));
  const c0 = cpuSeconds();
  const t0 = performance.now();
  try {
    const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
    if (r.status !== 0) throw new Error(`bench sweep: trainscope sweep exited ${r.status}: ${r.stderr.trim().split('\n').pop()}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const wall = (performance.now() - t0) / 1000;
  lastCpuS = cpuSeconds() - c0;
  return wall;
}

const TEST_MODULE = new URL('../test/support/sweep-test-experiments.ts', import.meta.url).href;

// Steps per cell: BENCH_SWEEP_STEPS (default 600, about 0.5 s of CPU a cell here). Short cells mostly
// measure the fixed costs (process start-up, module loading, JIT warm-up, and the reports).
const STEPS = Number(process.env['BENCH_SWEEP_STEPS'] ?? 600);
const SWEEP8: SweepSpec = {
  experiment: 'baselines/mnist-mlp',
  preset: 'smoke',
  sets: ['optimizers=["adam"]', `steps=${STEPS}`, 'evalEvery=100'],
  axes: { grid: { adamLr: [1e-3, 2e-3, 4e-3, 8e-3] } },
  seeds: [0, 1],
};

/** CPU seconds of the last timedSweep: this process and its (exited) pool processes. */
let lastCpuS = 0;

/** CPU seconds used so far by this process and its waited-for children (Linux: /proc/self/stat; elsewhere this process only). */
function cpuSeconds(): number {
  const self = process.cpuUsage();
  let children = 0;
  try {
    // Fields after the ")" of comm: index 13/14 are cutime/cstime, in clock ticks (USER_HZ, 100 on Linux).
    const f = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
    children = (Number(f[13]) + Number(f[14])) / 100;
  } catch {}
  return (self.user + self.system) / 1e6 + children;
}

async function timedSweep(spec: SweepSpec, executor: () => Promise<CellExecutor> | CellExecutor, module?: string): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'ts-bench-sweep-'));
  const c0 = cpuSeconds();
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
  lastCpuS = cpuSeconds() - c0;
  return (performance.now() - t0) / 1000;
}

async function queueOverheadMs(log: (m: string) => void): Promise<number | null> {
  const redis = await startTestRedis();
  if (!redis) {
    log(`  queue_overhead_ms skipped: ${REDIS_SKIP}`);
    return null;
  }
  const n = 20;
  const cells = (seeds: number[]): SweepSpec => ({ experiment: 'test/counting', preset: 'smoke', sets: ['steps=1'], axes: { list: [{}] }, seeds });
  const worker = await startQueueWorker({ url: redis.url, jobs: 1 });
  try {
    // Warm the worker's pool process (start-up, module loading) on a cell of its own.
    await timedSweep(cells([999]), () => queueExecutor(redis.url), TEST_MODULE);
    // One cell at a time: submit → result written, minus the time the worker spent in the job
    // (BullMQ's processedOn → finishedOn), is what the queue adds. The median over n cells.
    const samples: { cell: string; ms: number }[] = [];
    await timedSweep(
      cells(Array.from({ length: n }, (_, i) => i)),
      async () => {
        const ex = await queueExecutor(redis.url);
        return {
          ...ex,
          concurrency: 1,
          async run(task, hooks, sig) {
            const t0 = Date.now();
            const o = await ex.run(task, hooks, sig);
            samples.push({ cell: task.cell, ms: Date.now() - t0 });
            return o;
          },
        };
      },
      TEST_MODULE,
    );
    const q = new Queue('trainscope', { connection: { host: '127.0.0.1', port: redis.port } });
    try {
      const overheads: number[] = [];
      const code = submitterCode();
      for (const s of samples) {
        const job = await Job.fromId(q, jobIdOf(s.cell, code));
        if (job?.processedOn && job.finishedOn) overheads.push(s.ms - (job.finishedOn - job.processedOn));
      }
      overheads.sort((a, b) => a - b);
      return overheads[Math.floor(overheads.length / 2)] ?? null;
    } finally {
      await q.close();
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
  // Interleaved (1, 2, 1, 2, …) so a burst of load from other tenants does not land on one side only.
  let jobs1 = Infinity;
  let jobs2 = Infinity;
  let cpu1 = Infinity;
  let cpu2 = Infinity;
  for (let i = 0; i < reps; i++) {
    const a = cliSweep(SWEEP8, 1);
    cpu1 = Math.min(cpu1, lastCpuS);
    const b = cliSweep(SWEEP8, 2);
    cpu2 = Math.min(cpu2, lastCpuS);
    log(`  rep ${i + 1}: --jobs 1 ${round(a)} s (CPU ${round(cpu1)} s), --jobs 2 ${round(b)} s (CPU ${round(lastCpuS)} s)`);
    jobs1 = Math.min(jobs1, a);
    jobs2 = Math.min(jobs2, b);
  }
  log(`  best: --jobs 1 ${round(jobs1)} s, --jobs 2 ${round(jobs2)} s (speed-up ${round(jobs1 / jobs2)}×)`);
  const overhead = await queueOverheadMs(log);
  if (overhead !== null) log(`  queue overhead: ${round(overhead)} ms per cell`);
  return {
    sweep8_jobs1_s: round(jobs1),
    sweep8_jobs2_s: round(jobs2),
    sweep8_speedup: round(jobs1 / jobs2),
    // CPU seconds of all processes: with the CPU to itself, --jobs 2 takes about (cpu2 − serial part) / 2.
    sweep8_jobs1_cpu_s: round(cpu1),
    sweep8_jobs2_cpu_s: round(cpu2),
    queue_overhead_ms: overhead === null ? null : round(overhead),
  };
}

// `tsx bench/sweeps.ts` runs these alone.
if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write(`${JSON.stringify(await sweepBench((m) => void process.stderr.write(`${m}\n`)))}\n`);
}
