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

/** execArgv without tsx's own loader flags (a compiled child needs none). */
function withoutTsx(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if ((a === '--import' || a === '--require' || a === '--loader' || a === '-r') && argv[i + 1]?.includes('tsx')) i++;
    else if (!/^--(import|require|loader)=.*tsx/.test(a)) out.push(a);
  }
  return out;
}

/** From src/ (under tsx) the child runs the TypeScript entry with the parent's loader flags; from dist/, the .js without them. */
function childEntry(): { file: string; execArgv: string[] } {
  const ts = import.meta.url.endsWith('.ts');
  return {
    file: fileURLToPath(new URL(`./process-worker.${ts ? 'ts' : 'js'}`, import.meta.url)),
    execArgv: ts ? [...process.execArgv] : withoutTsx(process.execArgv),
  };
}

export function poolExecutor(jobs = defaultJobs()): CellExecutor {
  if (!Number.isSafeInteger(jobs) || jobs < 1) throw new Error(`--jobs must be a positive integer, got ${jobs}`);
  const entry = childEntry();
  const idle: Slot[] = [];
  const waiting: ((s: Slot) => void)[] = [];
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
    });
    slot.ready.catch(() => {}); // reported by the cell that waits on it, if any
    // Without a listener, an IPC error (the child gone mid-send) would be thrown at the parent.
    child.on('error', () => {});
    all.add(slot);
    return slot;
  };

  // Start every process now: their module loading overlaps the submitter's own set-up.
  for (let i = 0; i < jobs; i++) idle.push(spawnSlot());

  const acquire = (): Promise<Slot> => {
    const s = idle.pop();
    if (s) return Promise.resolve(s);
    return new Promise((resolve) => waiting.push(resolve));
  };
  const release = (s: Slot): void => {
    // A slot whose process died is replaced, so the pool keeps its size.
    const slot = s.exited && !closed ? spawnSlot() : s;
    if (slot.exited) return;
    const next = waiting.shift();
    if (next) next(slot);
    else idle.push(slot);
  };

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
        finish({
          status: 'failed',
          error: `the pool process running it exited (${sig ?? `code ${code}`})`,
          backend: 'unknown',
          trainscope: 'unknown',
          ran: true,
        });
      child.on('message', onMessage);
      child.once('exit', onExit);
      signal.addEventListener('abort', onAbort, { once: true });
      child.send({ kind: 'run', task } satisfies ToChild);
      if (signal.aborted) onAbort();
    });

  return {
    concurrency: jobs,
    label: `${jobs} worker process${jobs === 1 ? '' : 'es'}`,
    async run(task, hooks, signal) {
      const slot = await acquire();
      try {
        try {
          await slot.ready;
        } catch (e) {
          return { status: 'failed', error: (e as Error).message, backend: 'unknown', trainscope: 'unknown', ran: false };
        }
        hooks.started();
        return await runOn(slot, task, hooks.progress, signal);
      } finally {
        release(slot);
      }
    },
    async close() {
      closed = true;
      const exits = [...all].map(
        (s) =>
          new Promise<void>((resolve) => {
            if (s.exited) return resolve();
            const timer = setTimeout(() => s.child.kill('SIGKILL'), 10_000);
            s.child.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            if (s.child.connected) s.child.disconnect();
            else s.child.kill('SIGTERM');
          }),
      );
      await Promise.all(exits);
    },
  };
}
