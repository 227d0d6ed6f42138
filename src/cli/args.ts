/**
 * Argument parsing for every command: node:util's parseArgs over one declarative option table per
 * command (commands.ts). Its errors become one-line UsageErrors without a `trainscope <command>:`
 * prefix — main() adds that prefix, once.
 */
import { parseArgs } from 'node:util';
import { BACKEND_NAMES, type BackendName } from '../kernels/kernels.ts';

/** Bad command-line input: exit 2. */
export class UsageError extends Error {}

/** One command's options, as parseArgs takes them (`multiple` collects repeats, e.g. --set). */
export type OptionTable = Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }>;

export interface ParsedArgs {
  positionals: string[];
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
}

/** parseArgs' own messages, rewritten to one line that names the flag and says what to do. */
function usageMessage(command: string, e: Error & { code?: string }): string {
  const flag = /'(-{1,2}[A-Za-z0-9-]+)/.exec(e.message)?.[1] ?? 'an option';
  const first = e.message.split('\n')[0]!;
  switch (e.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${flag} (try trainscope ${command} --help)`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      if (/argument missing/.test(first)) return `${flag} needs a value`;
      if (/ambiguous/.test(first)) return `${flag} needs a value (write ${flag}=VALUE for one that starts with '-')`;
      return `${flag} takes no value`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument '${/'([^']*)'/.exec(first)?.[1] ?? ''}' (try trainscope ${command} --help)`;
    default:
      return first;
  }
}

export function parseCommandArgs(command: string, argv: readonly string[], options: OptionTable, allowPositionals: boolean): ParsedArgs {
  try {
    const r = parseArgs({ args: [...argv], options, allowPositionals, strict: true });
    return { positionals: r.positionals, values: r.values as ParsedArgs['values'] };
  } catch (e) {
    throw new UsageError(usageMessage(command, e as Error & { code?: string }));
  }
}

/** The last value of a string flag (a repeated single-valued flag: the last one wins). */
export function stringFlag(p: ParsedArgs, name: string): string | undefined {
  const v = p.values[name];
  const last = Array.isArray(v) ? v.at(-1) : v;
  return typeof last === 'string' ? last : undefined;
}

/** Every value of a `multiple` string flag, in order. */
export function stringFlags(p: ParsedArgs, name: string): string[] {
  const v = p.values[name];
  return (Array.isArray(v) ? v : v === undefined ? [] : [v]).filter((x): x is string => typeof x === 'string');
}

export const booleanFlag = (p: ParsedArgs, name: string): boolean => p.values[name] === true;

/**
 * `--backend js|wasm|native`: checked, put in TRAINSCOPE_BACKEND (it overrides the variable, and
 * processes the command starts inherit it), then made active. Unlike the variable alone, which
 * only warns, an explicit flag naming a backend that cannot load here is an error.
 */
export async function applyBackendFlag(p: ParsedArgs): Promise<BackendName | undefined> {
  const name = stringFlag(p, 'backend');
  if (name === undefined) return undefined;
  if (!(BACKEND_NAMES as readonly string[]).includes(name)) throw new UsageError(`--backend must be one of ${BACKEND_NAMES.join(', ')}, got '${name}'`);
  process.env['TRAINSCOPE_BACKEND'] = name;
  // Loaded here, not at the top: main.ts imports this file and must stay light.
  const { availableBackends, setBackend } = await import('../kernels/backend.ts');
  if (!availableBackends().includes(name))
    throw new Error(`--backend ${name} is not available here (available: ${availableBackends().join(', ')}; trainscope doctor says why)`);
  setBackend(name);
  return name as BackendName;
}
