/**
 * The active kernel backend. Selection at start-up: `wasm` if it loads (and passes its
 * self-test), else `js`; TRAINSCOPE_BACKEND=js|wasm forces one. A wasm load failure falls back
 * to js with one line on stderr. A `native` (OpenBLAS) backend would register here ahead of wasm.
 */
import type { Kernels } from './kernels.ts';
import { jsKernels } from './js.ts';
import { loadWasmKernels } from './wasm.ts';

const available = new Map<string, Kernels>([['js', jsKernels]]);
const forced = process.env['TRAINSCOPE_BACKEND'];

let wasmError: string | undefined;
try {
  available.set('wasm', loadWasmKernels());
} catch (e) {
  wasmError = e instanceof Error ? e.message : String(e);
  if (forced !== 'js') process.stderr.write(`trainscope: wasm kernels unavailable (${wasmError}); using js\n`);
}

let active: Kernels = pickInitial();

function pickInitial(): Kernels {
  if (forced) {
    const k = available.get(forced);
    if (!k) {
      process.emitWarning(`TRAINSCOPE_BACKEND=${forced} is not available (have: ${[...available.keys()].join(', ')}); using ${fallback().name}`);
      return fallback();
    }
    return k;
  }
  return fallback();
}

/** The fastest backend that loaded. */
function fallback(): Kernels {
  return available.get('wasm') ?? jsKernels;
}

export function kernels(): Kernels {
  return active;
}

/** Every backend that loaded, fastest last: js first (the reference), then wasm. */
export function availableBackends(): string[] {
  return [...available.keys()];
}

export function setBackend(name: string): void {
  const k = available.get(name);
  if (!k) throw new Error(`setBackend: unknown backend '${name}' (available: ${[...available.keys()].join(', ')})`);
  active = k;
}

/** What `trainscope doctor` reports about the active backend. */
export interface BackendInfo {
  name: string;
  /** True when the active GEMM uses SIMD (wasm SIMD128). */
  simd: boolean;
  /** Threads a kernel call uses; every backend here is single-threaded. */
  threads: number;
  /** Why the wasm backend did not load, when it did not. */
  wasmError?: string;
}

export function backendInfo(): BackendInfo {
  const info: BackendInfo = { name: active.name, simd: active.name === 'wasm', threads: 1 };
  if (wasmError !== undefined) info.wasmError = wasmError;
  return info;
}
