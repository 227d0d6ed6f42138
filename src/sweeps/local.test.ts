import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSweep } from './run-sweep.ts';
import { inlineExecutor } from './executor.ts';
import { poolExecArgv, poolExecutor } from './pool.ts';
import { expandSweep, type SweepSpec } from './spec.ts';
import { readSweep } from './sweep-folder.ts';
import { EXPERIMENTS } from '../../test/support/sweep-test-experiments.ts';
import { resolveConfig } from '../experiments/config.ts';
import { main } from '../cli/main.ts';
import { axisValueText, isGeometric, sweepWarnings } from './sweep-report.ts';
import { fileURLToPath } from 'node:url';

const MODULE = new URL('../../test/support/sweep-test-experiments.ts', import.meta.url).href;
const ref = (id: string) => ({ id, module: MODULE });
const spec: SweepSpec = { experiment: 'test/counting', preset: 'smoke', sets: [], axes: { grid: { steps: [2, 4, 8] } }, seeds: [0, 1] };
const signal = new AbortController().signal;
const tmp = (): string => mkdtempSync(join(tmpdir(), 'ts-sweep-'));

/** Every cell's metrics.jsonl, by cell id. */
export function cellMetrics(dir: string): Record<string, string> {
  const cells = readdirSync(join(dir, 'cells')).sort();
  return Object.fromEntries(cells.map((c) => [c, readFileSync(join(dir, 'cells', c, 'metrics.jsonl'), 'utf8')]));
}

describe('sweeps on this machine', () => {
  it('sequentially and with --jobs 2: the same cells with byte-identical metrics; a re-run does no work', async () => {
    const a = tmp();
    const b = tmp();
    const r1 = await runSweep({ dir: a, spec, experiment: ref('test/counting'), executor: inlineExecutor(), signal });
    const pool = poolExecutor(2);
    try {
      const r2 = await runSweep({ dir: b, spec, experiment: ref('test/counting'), executor: pool, signal });
      assert.equal(r1.ran, 6);
      assert.equal(r2.ran, 6);
      const ma = cellMetrics(a);
      assert.equal(Object.keys(ma).length, 6);
      assert.deepEqual(cellMetrics(b), ma);
      assert.match(Object.values(ma)[0]!, /"sum"/);
      const again = await runSweep({ dir: b, spec, experiment: ref('test/counting'), executor: pool, signal });
      assert.equal(again.ran, 0);
      assert.ok(readSweep(b).cells.every((c) => c.status === 'complete'));
    } finally {
      await pool.close();
    }
    const agg = JSON.parse(readFileSync(join(a, 'aggregate.json'), 'utf8'));
    assert.deepEqual(
      agg.points.map((p: { values: { steps: number }; metrics: { total: { mean: number; std: number; n: number } } }) => [
        p.values.steps,
        p.metrics.total.mean,
        p.metrics.total.std,
        p.metrics.total.n,
      ]),
      [
        [2, 3, 0, 2],
        [4, 10, 0, 2],
        [8, 36, 0, 2],
      ],
    );
    const md = readFileSync(join(a, 'report.md'), 'utf8');
    assert.match(md, /Aggregate over seeds/);
    assert.ok(existsSync(join(a, 'figures', 'sweep-total-vs-steps.svg')), 'a figure of total vs steps');
    assert.match(readFileSync(join(a, 'figures', 'sweep-total-vs-steps.svg'), 'utf8'), /<svg/);
  });

  it('an axis key the config schema lacks fails with the same typo hint as --set', () => {
    const exp = EXPERIMENTS[0]!;
    const bad = { ...spec, axes: { grid: { stesp: [1, 2] } } };
    assert.throws(
      () => expandSweep(exp, bad),
      /unknown config key 'stesp' in sweep axis for test\/counting \(did you mean 'steps'\?\); allowed keys: delayMs, steps/,
    );
    assert.throws(() => resolveConfig(exp, { preset: 'smoke', sets: ['stesp=1'] }), /\(did you mean 'steps'\?\); allowed keys: delayMs, steps/);
    assert.throws(() => expandSweep(exp, { ...spec, axes: { zip: { steps: [1, 2], delayMs: [0] } } }), /zip axes must have one length/);
  });

  it('grid × zip × list expand to stable ids; a failing cell shows as failed with its error', async () => {
    const exp = EXPERIMENTS[0]!;
    const cells = expandSweep(exp, { ...spec, axes: { grid: { steps: [1, 2] }, zip: { delayMs: [0, 1] }, list: [{}] }, seeds: [3] });
    assert.equal(cells.length, 4);
    assert.deepEqual(
      cells.map((c) => c.values),
      [
        { steps: 1, delayMs: 0 },
        { steps: 1, delayMs: 1 },
        { steps: 2, delayMs: 0 },
        { steps: 2, delayMs: 1 },
      ],
    );
    const again = expandSweep(exp, { ...spec, axes: { zip: { delayMs: [0, 1] }, grid: { steps: [1, 2] } }, seeds: [3] });
    assert.deepEqual(new Set(again.map((c) => c.id)), new Set(cells.map((c) => c.id)), 'ids depend on the config and seed, not on axis order');
    const dir = tmp();
    const r = await runSweep({
      dir,
      spec: { ...spec, experiment: 'test/failing', axes: {}, seeds: [0] },
      experiment: ref('test/failing'),
      executor: inlineExecutor(),
      signal,
    });
    assert.equal(r.sweep.cells[0]!.status, 'failed');
    assert.match(r.sweep.cells[0]!.error!, /injected failure/);
    assert.match(readFileSync(join(dir, 'report.md'), 'utf8'), /injected failure/);
  });

  it("an experiment's own grid states claims across cells from the aggregate", async () => {
    const exp = EXPERIMENTS[1]!;
    const decl = exp.sweep!.presets!.smoke!;
    const dir = tmp();
    const r = await runSweep({
      dir,
      spec: { experiment: exp.id, preset: 'smoke', sets: [], axes: decl.axes, seeds: decl.seeds },
      experiment: ref(exp.id),
      executor: inlineExecutor(),
      signal,
    });
    assert.equal(r.sweep.cells.length, 6);
    assert.match(readFileSync(join(dir, 'report.md'), 'utf8'), /the total grows with steps/);
    assert.equal(exp.sweep!.claimsAcross!(r.aggregate!)[0]!.pass, true);
  });

  it('the CLI: a typo in --grid gets the --set hint; the declared grid runs with --jobs 2 and a re-run runs nothing', async () => {
    const out: string[] = [];
    const capture = (stream: NodeJS.WriteStream) => {
      const write = stream.write.bind(stream);
      // Recorded and passed on: swallowing stdout would also swallow the test reporter's lines.
      stream.write = ((s: string, ...rest: never[]) => (out.push(String(s)), write(s, ...rest))) as typeof stream.write;
      return () => {
        stream.write = write;
      };
    };
    const restore = [capture(process.stdout), capture(process.stderr)];
    const dir = join(tmp(), 'grid');
    const mod = fileURLToPath(MODULE);
    let codes: number[];
    try {
      codes = [
        await main(['sweep', 'test/counting', '--experiments', mod, '--preset', 'smoke', '--grid', 'stesp=1,2']),
        await main(['sweep', 'test/counting-grid', '--experiments', mod, '--preset', 'smoke', '--jobs', '2', '--out', dir]),
        await main(['sweep', 'test/counting-grid', '--experiments', mod, '--preset', 'smoke', '--jobs', '2', '--out', dir]),
      ];
    } finally {
      for (const r of restore) r();
    }
    const text = out.join('');
    assert.deepEqual(codes, [1, 0, 0], text);
    assert.match(text, /trainscope sweep: unknown config key 'stesp' in sweep axis for test\/counting \(did you mean 'steps'\?\)/);
    assert.match(text, /sweep: 6 of 6 cells complete \(6 run now\)/);
    assert.match(text, /sweep: 6 of 6 cells complete \(0 run now\)/);
    assert.equal(readdirSync(join(dir, 'cells')).length, 6);
  });

  it('log axes only for geometric axes; axis values read plainly; backend/version mismatches and failures are warnings', () => {
    assert.equal(isGeometric([1e-3, 1e-2, 1e-1]), true);
    assert.equal(isGeometric([8, 16, 32, 64]), true);
    assert.equal(isGeometric([1, 2, 3, 4]), false);
    assert.equal(isGeometric([0, 1, 10]), false);
    assert.equal(isGeometric([1, 1000]), true);
    // Axis values in labels and tables: lists of plain values comma-joined, objects as JSON.
    assert.deepEqual(
      [axisValueText(['dash']), axisValueText(['a', 'b']), axisValueText(0.5), axisValueText([]), axisValueText({ a: 1 }), axisValueText([{ a: 1 }])],
      ['dash', 'a,b', 0.5, '[]', '{"a":1}', '[{"a":1}]'],
    );
    const base = { submitter: { backend: 'native', trainscope: '0.1.0' } };
    const cell = (status: 'complete' | 'failed', backend: string) => ({ id: 'c', values: {}, seed: 0, status, backend, trainscope: '0.1.0' });
    const sweep = (cells: ReturnType<typeof cell>[]) => ({ ...base, cells }) as unknown as Parameters<typeof sweepWarnings>[0];
    assert.deepEqual(sweepWarnings(sweep([cell('complete', 'native')])), []);
    const w = sweepWarnings(sweep([cell('complete', 'wasm'), cell('failed', 'native')]));
    assert.equal(w.length, 2);
    assert.match(w[0]!, /1 of 2 cells failed/);
    assert.match(w[1]!, /1 cells ran on wasm 0\.1\.0, not the submitter's native 0\.1\.0: metrics are byte-identical only on the same backend/);
  });
});

describe('the process pool', () => {
  it('an abort leaves the running cells incomplete (not failed); the same sweep again completes them with the sequential metrics', async () => {
    const slow: SweepSpec = { experiment: 'test/counting', preset: 'smoke', sets: ['delayMs=40'], axes: { grid: { steps: [12, 13] } }, seeds: [0, 1] };
    const dir = tmp();
    const pool = poolExecutor(2);
    try {
      const controller = new AbortController();
      let started = 0;
      const watching: typeof pool = {
        ...pool,
        run: (task, hooks, sig) => pool.run(task, { ...hooks, progress: (u) => (hooks.progress(u), ++started === 2 && controller.abort()) }, sig),
      };
      const r1 = await runSweep({ dir, spec: slow, experiment: ref('test/counting'), executor: watching, signal: controller.signal });
      assert.equal(r1.interrupted, true);
      const statuses = readSweep(dir).cells.map((c) => c.status);
      assert.ok(
        statuses.every((s) => s === 'incomplete' || s === 'pending'),
        statuses.join(' '),
      );
      const r2 = await runSweep({ dir, spec: slow, experiment: ref('test/counting'), executor: pool, signal });
      assert.equal(r2.interrupted, false);
      assert.ok(readSweep(dir).cells.every((c) => c.status === 'complete'));
    } finally {
      await pool.close();
    }
    const seq = tmp();
    await runSweep({ dir: seq, spec: slow, experiment: ref('test/counting'), executor: inlineExecutor(), signal });
    assert.deepEqual(cellMetrics(dir), cellMetrics(seq));
  });

  it('a cell whose process dies fails alone with the reason; the pool replaces the process and runs the rest', async () => {
    const dir = tmp();
    const pool = poolExecutor(1);
    try {
      let killed = false;
      const killing: typeof pool = {
        ...pool,
        run: (task, hooks, sig) =>
          pool.run(
            task,
            {
              ...hooks,
              progress: (u) => {
                hooks.progress(u);
                // The first cell's process is killed mid-cell (as the OOM killer would).
                if (!killed) {
                  killed = true;
                  process.kill(pool.pids()[0]!, 'SIGKILL');
                }
              },
            },
            sig,
          ),
      };
      const spec2: SweepSpec = { experiment: 'test/counting', preset: 'smoke', sets: ['delayMs=20'], axes: { grid: { steps: [20, 3] } }, seeds: [0] };
      const r = await runSweep({ dir, spec: spec2, experiment: ref('test/counting'), executor: killing, signal });
      const byStatus = r.sweep.cells.map((c) => c.status).sort();
      assert.deepEqual(byStatus, ['complete', 'failed']);
      assert.match(r.sweep.cells.find((c) => c.status === 'failed')!.error!, /pool process running it exited \(SIGKILL\)/);
    } finally {
      await pool.close();
    }
  });
});

describe('the process pool, idle', () => {
  it('a process that dies while idle is replaced before a cell is handed to it; a closed pool runs nothing', async () => {
    const pool = poolExecutor(1);
    const dir = tmp();
    try {
      const first = pool.pids()[0]!;
      process.kill(first, 'SIGKILL');
      await new Promise((r) => setTimeout(r, 300));
      assert.notEqual(pool.pids()[0], first, 'a new process took its place');
      const r = await runSweep({
        dir,
        spec: { ...spec, axes: { grid: { steps: [2] } }, seeds: [0] },
        experiment: ref('test/counting'),
        executor: pool,
        signal,
      });
      assert.equal(r.sweep.cells[0]!.status, 'complete');
    } finally {
      await pool.close();
    }
    const after = await pool.run(
      { dir: join(dir, 'x'), cell: 'x', experiment: ref('test/counting'), preset: 'smoke', config: { steps: 1 }, seed: 0 },
      { started() {}, progress() {} },
      signal,
    );
    assert.deepEqual([after.status, after.error], ['failed', 'the worker pool was closed']);
    assert.deepEqual(pool.pids(), []);
  });
});

describe('the process pool, flags', () => {
  it('its processes run without concurrent recompilation (Node 20 exit deadlock, nodejs/node#54918)', {
    skip: existsSync('/proc/self/cmdline') ? false : 'no /proc',
  }, async () => {
    // The flag is added to the parent's flags (tsx's loader among them), and never twice.
    assert.deepEqual(poolExecArgv(['--import', 'tsx']), ['--no-concurrent-recompilation', '--import', 'tsx']);
    assert.deepEqual(poolExecArgv([]), ['--no-concurrent-recompilation']);
    assert.deepEqual(poolExecArgv(['--no-concurrent-recompilation', '--import', 'tsx']), ['--no-concurrent-recompilation', '--import', 'tsx']);
    // A live pool process carries it.
    const pool = poolExecutor(1);
    try {
      const argv = readFileSync(`/proc/${pool.pids()[0]}/cmdline`, 'utf8').split('\0');
      assert.equal(argv.filter((a) => a === '--no-concurrent-recompilation').length, 1, argv.join(' '));
    } finally {
      await pool.close();
    }
  });
});

describe('pool progress', () => {
  it('posts at most one update per interval, but every stage change and every stage end', async () => {
    const { throttledProgress } = await import('./progress-throttle.ts');
    const seen: string[] = [];
    const p = throttledProgress((u) => seen.push(`${u.stage}:${u.step}`), 60_000);
    for (let s = 1; s <= 50; s++) p({ stage: 'a', step: s, total: 50 });
    p({ stage: 'b', step: 1, total: 3 });
    p({ stage: 'b', step: 2, total: 3 });
    p({ stage: 'b', step: 3, total: 3 });
    assert.deepEqual(seen, ['a:1', 'a:50', 'b:1', 'b:3']);
  });
});
