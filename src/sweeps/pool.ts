/**
 * The local executor: a pool of child processes (`child_process.fork`), one cell per process at a
 * time, each on the default kernel backend with one BLAS thread (TRAINSCOPE_THREADS=1), so N cells
 * use N cores without oversubscribing them.
 *
 * Processes rather than worker threads: training allocates many large arrays, and threads of one
 * process share its address space (their page faults, mmap/munmap and heap growth serialize on the
 * kernel's per-process memory-map lock) and a worker's V8 heap is smaller. Measured on the DASH
 * BatchNorm MLP: 114 steps/s in a process alone, 95 in a worker thread alone; two side by side at
 * 84–90 each as processes, 64–67 as threads (sweeps/README.md). A process costs ~0.1 s to start,
 * once per pool slot, not per cell.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { CellExecutor } from './executor.ts';
import type { FromChild, ToChild } from './process-worker.ts';
import type { CellOutcome, CellTask } from './run-cell.ts';
import type { ProgressUpdate } from '../experiments/experiment.ts';

export function defaultJobs(): number {
  return availableParallelism();
}

interface Slot {
  child: ChildProcess;
  /** Resolves once the child has loaded its modules and can take a cell. */
  ready: Promise<void>;
  exited: boolean;
}

/**
 * Node 20 can deadlock as a process ends (nodejs/node#54918): the main thread waits for platform
 * tasks while a background TurboFan job waits on the main thread for a GC. A pool process whose
 * parent is gone would then live on, holding the parent's stdout and stderr. Without concurrent
 * recompilation there is no such job (TurboFan compiles on the main thread; the BN-MLP steps/s
 * moved by less than the run-to-run noise).
 */
const NO_CONCURRENT_RECOMPILATION = '--no-concurrent-recompilation';

/** A pool process's node flags: the parent's, with concurrent recompilation off (once). */
export function poolExecArgv(parent: readonly string[]): string[] {
  return parent.includes(NO_CONCURRENT_RECOMPILATION) ? [...parent] : [NO_CONCURRENT_RECOMPILATION, ...parent];
}

/**
 * The child's entry: from src/ (under tsx) the TypeScript file, from dist/ the compiled one. The
 * parent's execArgv is passed on whole: loader flags such as tsx's are what let a child load an
 * `--experiments my-experiments.ts` module, as the parent did.
 */
function childEntry(): { file: string; execArgv: string[] } {
  const ts = import.meta.url.endsWith('.ts');
  return { file: fileURLToPath(new URL(`./process-worker.${ts ? 'ts' : 'js'}`, import.meta.url)), execArgv: poolExecArgv(process.execArgv) };
}

/** The local pool: a CellExecutor, plus the pids of its live processes (diagnostics, tests). */
export interface ProcessPool extends CellExecutor {
  pids(): number[];
}

export function poolExecutor(jobs = defaultJobs()): ProcessPool {
  if (!Number.isSafeInteger(jobs) || jobs < 1) throw new Error(`--jobs must be a positive integer, got ${jobs}`);
  const entry = childEntry();
  const idle: Slot[] = [];
  const waiting: ((s: Slot | undefined) => void)[] = [];
  const all = new Set<Slot>();
  let closed = false;

  const spawnSlot = (): Slot => {
    const child = fork(entry.file, [], {
      execArgv: entry.execArgv,
      env: { ...process.env, TRAINSCOPE_THREADS: '1' },
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const slot: Slot = {
      child,
      exited: false,
      ready: new Promise<void>((resolve, reject) => {
        const onMessage = (m: FromChild): void => {
          if (m.kind === 'ready') {
            child.off('message', onMessage);
            child.off('exit', onExit);
            resolve();
          }
        };
        const onExit = (code: number | null, sig: NodeJS.Signals | null): void =>
          reject(new Error(`a pool process exited before it was ready (${sig ?? `code ${code}`})`));
        child.on('message', onMessage);
        child.once('exit', onExit);
      }),
    };
    child.once('exit', () => {
      slot.exited = true;
      all.delete(slot);
      // A process that dies while idle (OOM killer, a stray kill) is replaced at once, so no cell
      // is ever handed a dead slot; one that dies mid-cell is replaced when its cell releases it.
      const at = idle.indexOf(slot);
      if (at >= 0) {
        idle.splice(at, 1);
        if (!closed) release(spawnSlot());
      }
    });
    slot.ready.catch(() => {}); // reported by the cell that waits on it, if any
    // Without a listener, an IPC error (the child gone mid-send) would be thrown at the parent.
    child.on('error', () => {});
    all.add(slot);
    return slot;
  };

  // Start every process now: their module loading overlaps the submitter's own set-up.
  for (let i = 0; i < jobs; i++) idle.push(spawnSlot());

  /** Resolves with a live slot, or undefined once the pool is closed. */
  const acquire = (): Promise<Slot | undefined> => {
    if (closed) return Promise.resolve(undefined);
    const s = idle.pop();
    if (s) return Promise.resolve(s);
    return new Promise((resolve) => waiting.push(resolve));
  };
  function release(s: Slot): void {
    // A slot whose process died is replaced, so the pool keeps its size.
    const slot = s.exited && !closed ? spawnSlot() : s;
    if (slot.exited || closed) return;
    const next = waiting.shift();
    if (next) next(slot);
    else idle.push(slot);
  }
  const notRun = (error: string): CellOutcome => ({ status: 'failed', error, backend: 'unknown', trainscope: 'unknown', ran: false });

  const runOn = (slot: Slot, task: CellTask, progress: (u: ProgressUpdate) => void, signal: AbortSignal): Promise<CellOutcome> =>
    new Promise<CellOutcome>((resolve) => {
      const { child } = slot;
      const onAbort = (): void => {
        if (child.connected) child.send({ kind: 'abort' } satisfies ToChild);
      };
      const finish = (o: CellOutcome): void => {
        child.off('message', onMessage);
        child.off('exit', onExit);
        signal.removeEventListener('abort', onAbort);
        resolve(o);
      };
      const onMessage = (m: FromChild): void => {
        if (m.kind === 'progress') progress(m.update);
        else if (m.kind === 'done') finish(m.outcome);
      };
      const onExit = (code: number | null, sig: NodeJS.Signals | null): void =>
        // Closing the pool stops a running cell at a step boundary (the child exits after it):
        // that cell is incomplete and resumes next time, not failed.
        finish(
          closed
            ? { status: 'incomplete', backend: 'unknown', trainscope: 'unknown', ran: true }
            : {
                status: 'failed',
                error: `the pool process running it exited (${sig ?? `code ${code}`})`,
                backend: 'unknown',
                trainscope: 'unknown',
                ran: true,
              },
        );
      child.on('message', onMessage);
      child.once('exit', onExit);
      signal.addEventListener('abort', onAbort, { once: true });
      try {
        child.send({ kind: 'run', task } satisfies ToChild);
      } catch (e) {
        finish(notRun(`could not hand the cell to its pool process: ${(e as Error).message}`));
        return;
      }
      if (signal.aborted) onAbort();
    });

  return {
    concurrency: jobs,
    label: `${jobs} worker process${jobs === 1 ? '' : 'es'}`,
    pids: () => [...all].flatMap((s) => (s.child.pid === undefined ? [] : [s.child.pid])),
    async run(task, hooks, signal) {
      const slot = await acquire();
      if (!slot) return notRun('the worker pool was closed');
      try {
        try {
          await slot.ready;
        } catch (e) {
          return notRun((e as Error).message);
        }
        if (slot.exited || !slot.child.connected) return notRun('its pool process exited before the cell started');
        hooks.started();
        return await runOn(slot, task, hooks.progress, signal);
      } finally {
        release(slot);
      }
    },
    async close() {
      closed = true;
      // Cells still waiting for a process get none.
      for (const w of waiting.splice(0)) w(undefined);
      const exits = [...all].map(
        (s) =>
          new Promise<void>((resolve) => {
            if (s.exited) return resolve();
            const timer = setTimeout(() => s.child.kill('SIGKILL'), 10_000);
            s.child.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            // Children ignore SIGTERM (they wait for their parent's word): disconnect, or kill.
            if (s.child.connected) s.child.disconnect();
            else s.child.kill('SIGKILL');
          }),
      );
      await Promise.all(exits);
    },
  };
}
