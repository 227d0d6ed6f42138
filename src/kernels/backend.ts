/**
 * The active kernel backend. Selection at start-up: `native` (OpenBLAS, when its optional addon
 * was built at install) if it loads, else `wasm` if it loads (and passes its self-test), else
 * `js`; TRAINSCOPE_BACKEND=js|wasm|native forces one. A wasm load failure, or an addon that was
 * built but does not load, is reported in one line on stderr; an addon that was never built
 * (no OpenBLAS headers at install) is normal and silent — `trainscope doctor` says why.
 */
import { existsSync } from 'node:fs';
import type { Kernels } from './kernels.ts';
import { jsKernels } from './js.ts';
import { loadWasmKernels } from './wasm.ts';
import { loadNativeKernels, nativeInfo, NATIVE_PATH, type NativeInfo } from './native.ts';

const available = new Map<string, Kernels>([['js', jsKernels]]);
const forced = process.env['TRAINSCOPE_BACKEND'];

let wasmError: string | undefined;
try {
  available.set('wasm', loadWasmKernels());
} catch (e) {
  wasmError = e instanceof Error ? e.message : String(e);
  if (forced !== 'js') process.stderr.write(`trainscope: wasm kernels unavailable (${wasmError}); using js\n`);
}

let nativeError: string | undefined;
if (existsSync(NATIVE_PATH)) {
  try {
    available.set('native', loadNativeKernels());
  } catch (e) {
    nativeError = e instanceof Error ? e.message : String(e);
    if (forced !== 'js' && forced !== 'wasm') process.stderr.write(`trainscope: native kernels unavailable (${nativeError}); using wasm\n`);
  }
} else {
  nativeError = 'the optional OpenBLAS addon was not built (apt-get install -y libopenblas-dev liblapacke-dev, then npm run build:native)';
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
  return available.get('native') ?? available.get('wasm') ?? jsKernels;
}

export function kernels(): Kernels {
  return active;
}

/** Every backend that loaded, fastest last: js first (the reference), then wasm, then native. */
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
  /** True when the active GEMM uses SIMD (wasm SIMD128; OpenBLAS's own AVX-512/AVX2 kernels). */
  simd: boolean;
  /** What kind of SIMD, in words. */
  simdKind: string;
  /** Threads a kernel call may use (OpenBLAS: TRAINSCOPE_THREADS, default 1; else 1). */
  threads: number;
  /** The BLAS behind GEMM/QR/eigh: OpenBLAS's build string, or trainscope's own kernels. */
  blas: string;
  /** Why the wasm backend did not load, when it did not. */
  wasmError?: string;
  /** Why the native backend is not available, when it is not. */
  nativeError?: string;
}

export function backendInfo(): BackendInfo {
  const name = active.name;
  let native: NativeInfo | undefined;
  if (name === 'native') native = nativeInfo();
  const info: BackendInfo = {
    name,
    simd: name !== 'js',
    simdKind: name === 'wasm' ? 'wasm SIMD128' : name === 'native' ? `OpenBLAS ${native!.corename} kernels` : 'none (scalar JavaScript)',
    threads: native ? native.threads : 1,
    blas: native ? native.blas : name === 'wasm' ? 'trainscope wasm kernels (src/kernels/wasm)' : 'trainscope js kernels',
  };
  if (wasmError !== undefined) info.wasmError = wasmError;
  if (nativeError !== undefined) info.nativeError = nativeError;
  return info;
}
