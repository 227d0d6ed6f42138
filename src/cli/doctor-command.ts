/** `trainscope doctor`: the runtime, the kernel backend and why a faster one is unavailable. */
import { VERSION } from '../version.ts';
import { availableBackends, backendInfo } from '../kernels/backend.ts';
import { applyBackendFlag, booleanFlag, type ParsedArgs } from './args.ts';

export default async function doctorCommand(p: ParsedArgs): Promise<number> {
  await applyBackendFlag(p);
  const b = backendInfo();
  const info: Record<string, unknown> = {
    trainscope: VERSION,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    backend: b.name,
    availableBackends: availableBackends(),
    simd: b.simdKind,
    threads: b.threads,
    threadPolicy: b.threadPolicy,
    blas: b.blas,
    defaultDtype: 'float64',
    forcedBackend: process.env['TRAINSCOPE_BACKEND'] ?? null,
  };
  if (b.nativeError !== undefined) info['nativeUnavailable'] = b.nativeError;
  if (b.wasmError !== undefined) info['wasmUnavailable'] = b.wasmError;
  if (booleanFlag(p, 'json')) process.stdout.write(`${JSON.stringify(info)}\n`);
  else
    process.stdout.write(
      `trainscope doctor\n${Object.entries(info)
        .map(([k, v]) => `  ${k.padEnd(18)} ${Array.isArray(v) ? v.join(', ') : (v ?? '-')}`)
        .join('\n')}\n`,
    );
  return 0;
}
