/**
 * The `trainscope` command line. This file holds what every command shares — the help text, one
 * declarative option table per command, the dispatch — and imports nothing heavy: each command's
 * code (src/cli/<command>-command.ts) is imported only when that command runs, so `--version`,
 * `--help` and `list` never load vega or resvg. Every failure is one line on stderr, prefixed once
 * with `trainscope <command>:`, and a non-zero exit (2 for usage errors), never a stack trace.
 */
import { VERSION } from '../version.ts';
import { parseCommandArgs, UsageError, type OptionTable, type ParsedArgs } from './args.ts';

const RUN_HINT = 'npx --no-install trainscope';

const HELP: Record<string, string> = {
  main: `trainscope ${VERSION} — train neural networks and see how they train

Usage: trainscope <command> [options]      (in a project that installed it: ${RUN_HINT} <command>)

Commands:
  list                      list registered experiments
  run <id>                  run one experiment into a run folder
  run --resume <runDir>     continue an interrupted run
  report <runDir>           re-render a run's report from its summary
  reproduce                 run every experiment and write index.html
  sweep <id>                run a grid of cells (axes × seeds) on worker processes or a Redis queue
  worker --queue URL        pull sweep cells from a Redis queue and run them
  watch <runDir>            follow a running run: new records and progress, until it ends
  doctor                    print Node version, kernel backend, SIMD, BLAS, threads
  qubo solve FILE.json      minimize xᵀQx over binary x (--solver exact|sa|tabu|sb)

Options: --help on any command, --version. --backend js|wasm|native on the commands that compute
(overrides TRAINSCOPE_BACKEND). Data is never downloaded.
`,
  list: `Usage: trainscope list [--json]
  List registered experiments with their presets and config keys; --json adds each config's JSON Schema.
`,
  run: `Usage: trainscope run <id> [--preset smoke|small|paper] [--seed N] [--set key=value …] [--config FILE] [--out DIR] [--force] [--keep-checkpoints] [--backend B] [--json]
       trainscope run --resume <runDir> [--allow-mismatch] [--keep-checkpoints] [--backend B] [--json]
  Runs an experiment into DIR (default runs/<id>/<timestamp>-<hash>/): manifest.json, config.json
  (with a $schema, config.schema.json, so editors check a copy passed back as --config),
  metrics.jsonl, summary.json (claims), figures/, report.html, report.md. Ctrl-C, SIGTERM or SIGHUP
  stop at a step boundary and mark the folder incomplete; --resume continues it. One process runs
  a folder at a time (DIR/.lock).
  --force             write into a non-empty DIR that holds no run (default: refused)
  --allow-mismatch    resume although git SHA, backend or Node differ from the manifest (recorded)
  --keep-checkpoints  keep every checkpoint of a completed run (default: the last per stage)
`,
  report: `Usage: trainscope report <runDir> [--backend B] [--json]
  Re-render report.html, report.md and figures from a complete run folder.
`,
  reproduce: `Usage: trainscope reproduce [--preset smoke|small|paper] [--seed N] [--out DIR] [--strict] [--backend B] [--json]
                           [--jobs N | --queue redis://HOST:PORT[/DB] [--retries N]]
  Runs every registered experiment (default preset: small) into DIR (default runs/reproduce-<preset>/)
  and writes DIR/index.html linking every report with its claims. --strict: exit 1 when any claim fails (for CI).
  --jobs N: N experiments side by side in worker processes; --queue: on \`trainscope worker\`s through Redis.
`,
  sweep: `Usage: trainscope sweep <id> [--preset smoke|small|paper] [--set key=value …]
                       [--grid key=v1,v2,… …] [--zip key=v1,v2,… …] [--list JSON] [--seeds 0,1,2 | 0..4]
                       [--jobs N | --queue redis://HOST:PORT[/DB][?queue=NAME] [--retries N] [--checkpoints]]
                       [--out DIR] [--experiments MODULE] [--backend B] [--json]
  Runs a grid of cells, each an ordinary run folder under DIR/cells/<cell-id>/ (default DIR:
  runs/sweep-<id>-<hash>/), then writes DIR/sweep.json, aggregate.json (mean ± std over seeds),
  figures/ and report.html/report.md. --grid axes multiply, --zip axes go in lockstep, --list
  takes a JSON array of config overrides; with no axes, the experiment's own grid for the preset.
  --jobs N: N worker processes (default: every core). --queue: send the cells to \`trainscope worker\`s
  through Redis (--retries: extra attempts for a failing cell, default 2). Running the same command
  again skips complete cells and resumes the rest; Ctrl-C stops at a step boundary.
  --experiments MODULE: a module exporting EXPERIMENTS, for experiments that are not registered.
`,
  worker: `Usage: trainscope worker --queue redis://HOST:PORT[/DB][?queue=NAME] [--jobs N] [--work DIR] [--backend B]
                        [--lock-ms MS] [--stalled-ms MS]
  Pulls cells submitted by \`trainscope sweep --queue\` (or reproduce --queue), runs N at a time
  (default 1) in worker processes in DIR (default <tmp>/trainscope-worker) and returns each finished
  run folder to the submitter. A worker that dies mid-cell loses its lock after --lock-ms (default
  30000); the other workers' stalled check (every --stalled-ms) re-queues the cell.
  Ctrl-C: finish the running cells, then exit; Ctrl-C again: exit now.
`,
  watch: `Usage: trainscope watch <runDir> [--interval MS]
  Follows a run folder that another process is running: prints each record of metrics.partial.jsonl
  as it arrives (step first, then key=value) and the progress when it moves; exits when the manifest
  says complete (0), failed (1) or incomplete (130), or on Ctrl-C (0; the run keeps going).
`,
  qubo: `Usage: trainscope qubo solve FILE.json [--solver exact|sa|tabu|sb] [--seed N] [--reads R] [--time-limit S] [--json]
  Minimizes xᵀQx over x ∈ {0,1}ⁿ for FILE = { "Q": [[…]] } (square, finite; the full matrix is used:
  pair coefficient Q_ij + Q_ji, so upper-triangular and symmetric files mean the same; a non-symmetric
  matrix is symmetrized and flagged). Prints the best energy, x, time and the solver's settings.
  exact: enumeration, n ≤ 24. sa (default): simulated annealing (1000 sweeps, dwave's β range). tabu:
  multistart tabu search. sb: ballistic simulated bifurcation. A time limit that stops the solver marks
  the result partial ("timedOut": true).
`,
  doctor: `Usage: trainscope doctor [--backend B] [--json]
  Print Node version, the kernel backend (and why a faster one is unavailable), SIMD, BLAS, threads, default dtype.
`,
};

/** A command: its options (parseArgs' table), whether it takes positionals, and its code, loaded on use. */
export interface CommandSpec {
  options: OptionTable;
  positionals: boolean;
  load: () => Promise<{ default: (args: ParsedArgs) => number | Promise<number> }>;
}

/** Every command that computes takes --backend. */
const backend = { backend: { type: 'string' } } as const satisfies OptionTable;
const json = { json: { type: 'boolean' } } as const satisfies OptionTable;

export const COMMANDS: Record<string, CommandSpec> = {
  list: { options: { ...json }, positionals: false, load: () => import('./list-command.ts') },
  run: {
    options: {
      preset: { type: 'string' },
      seed: { type: 'string' },
      set: { type: 'string', multiple: true },
      config: { type: 'string' },
      out: { type: 'string' },
      resume: { type: 'string' },
      force: { type: 'boolean' },
      'allow-mismatch': { type: 'boolean' },
      'keep-checkpoints': { type: 'boolean' },
      ...backend,
      ...json,
    },
    positionals: true,
    load: () => import('./run-command.ts'),
  },
  report: { options: { ...backend, ...json }, positionals: true, load: () => import('./report-command.ts') },
  reproduce: {
    options: {
      preset: { type: 'string' },
      seed: { type: 'string' },
      out: { type: 'string' },
      strict: { type: 'boolean' },
      jobs: { type: 'string' },
      queue: { type: 'string' },
      retries: { type: 'string' },
      ...backend,
      ...json,
    },
    positionals: false,
    load: () => import('./reproduce-command.ts'),
  },
  sweep: {
    options: {
      preset: { type: 'string' },
      set: { type: 'string', multiple: true },
      grid: { type: 'string', multiple: true },
      zip: { type: 'string', multiple: true },
      list: { type: 'string' },
      seeds: { type: 'string' },
      jobs: { type: 'string' },
      queue: { type: 'string' },
      retries: { type: 'string' },
      checkpoints: { type: 'boolean' },
      out: { type: 'string' },
      experiments: { type: 'string' },
      ...backend,
      ...json,
    },
    positionals: true,
    load: () => import('./sweep-command.ts'),
  },
  worker: {
    options: {
      queue: { type: 'string' },
      jobs: { type: 'string' },
      work: { type: 'string' },
      'lock-ms': { type: 'string' },
      'stalled-ms': { type: 'string' },
      ...backend,
    },
    positionals: false,
    load: () => import('./worker-command.ts'),
  },
  watch: { options: { interval: { type: 'string' } }, positionals: true, load: () => import('./watch-command.ts') },
  doctor: { options: { ...backend, ...json }, positionals: false, load: () => import('./doctor-command.ts') },
  qubo: {
    options: { solver: { type: 'string' }, seed: { type: 'string' }, reads: { type: 'string' }, 'time-limit': { type: 'string' }, ...json },
    positionals: true,
    load: () => import('./qubo-command.ts'),
  },
};

export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === '--version' || command === '-v' || command === 'version') {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(HELP['main']!);
    return 0;
  }
  const spec = COMMANDS[command];
  if (!spec) {
    process.stderr.write(`trainscope: unknown command '${command}' (try trainscope --help)\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(HELP[command]!);
    return 0;
  }
  try {
    const args = parseCommandArgs(command, rest, spec.options, spec.positionals);
    const { default: run } = await spec.load();
    return await run(args);
  } catch (e) {
    process.stderr.write(`trainscope ${command}: ${(e as Error).message}\n`);
    return e instanceof UsageError ? 2 : 1;
  }
}
