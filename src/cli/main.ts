/** The `trainscope` command line: thin parsing over the library. */
import { VERSION } from '../version.ts';
import { availableBackends, kernels } from '../kernels/backend.ts';

const HELP = `trainscope ${VERSION} — train neural networks and see how they train

Usage: trainscope <command> [options]

Commands:
  doctor       print the runtime: Node version, kernel backend, default dtype
  --version    print the version
  --help       show this help
`;

function doctor(json: boolean): number {
  const info = {
    trainscope: VERSION,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    backend: kernels().name,
    availableBackends: availableBackends(),
    defaultDtype: 'float64',
    forcedBackend: process.env['TRAINSCOPE_BACKEND'] ?? null,
  };
  if (json) {
    process.stdout.write(`${JSON.stringify(info)}\n`);
  } else {
    const rows = Object.entries(info).map(([k, v]) => `  ${k.padEnd(18)} ${Array.isArray(v) ? v.join(', ') : v ?? '-'}`);
    process.stdout.write(`trainscope doctor\n${rows.join('\n')}\n`);
  }
  return 0;
}

export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(HELP);
    return 0;
  }
  if (command === '--version' || command === '-v' || command === 'version') {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  if (command === 'doctor') {
    if (rest.includes('--help')) {
      process.stdout.write('Usage: trainscope doctor [--json]\n  Print Node version, kernel backend and default dtype.\n');
      return 0;
    }
    const unknown = rest.filter((a) => a !== '--json');
    if (unknown.length) {
      process.stderr.write(`trainscope doctor: unknown option ${unknown[0]} (try --help)\n`);
      return 2;
    }
    return doctor(rest.includes('--json'));
  }
  process.stderr.write(`trainscope: unknown command '${command}' (try trainscope --help)\n`);
  return 2;
}
