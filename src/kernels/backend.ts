/**
 * The active kernel backend: the one place that decides which backend runs.
 *
 * Nothing happens on import. The first call to `kernels()` (or `availableBackends`, `setBackend`,
 * `backendInfo`, or an explicit `await init()`) loads the backends, synchronously: wasm (compile
 * kernels.wasm, self-test) and native (the optional OpenBLAS addon, self-test). Then `native` if it
 * loaded, else `wasm` if it loaded, else `js`; TRAINSCOPE_BACKEND=js|wasm|native forces one. A
 * wasm load failure, or an addon that was built but does not load, is reported in one line on
 * stderr at that first use; an addon that was never built (no OpenBLAS headers at install) is
 * normal and silent — `trainscope doctor` says why.
 */
import { existsSync } from 'node:fs';
import { BACKEND_NAMES, type BackendName, type Kernels } from './kernels.ts';
import { jsKernels } from './js.ts';
import { loadWasmKernels } from './wasm.ts';
import { loadNativeKernels, nativeInfo, nativeThreadPolicy, NATIVE_PATH, type NativeInfo } from './native.ts';

interface State {
  available: Map<BackendName, Kernels>;
  active: Kernels;
  wasmError?: string;
  nativeError?: string;
}

let state: State | undefined;

function load(): State {
  const available = new Map<BackendName, Kernels>([['js', jsKernels]]);
  const forced = process.env['TRAINSCOPE_BACKEND'];
  // A typo must not silently run on another backend (its last bits differ): refuse it.
  if (forced !== undefined && forced !== '' && !BACKEND_NAMES.includes(forced as BackendName)) {
    throw new Error(`TRAINSCOPE_BACKEND=${forced} is not a kernel backend (use ${BACKEND_NAMES.join(', ')}, or unset it for the fastest available)`);
  }
  const s: State = { available, active: jsKernels };
  try {
    available.set('wasm', loadWasmKernels());
  } catch (e) {
    s.wasmError = e instanceof Error ? e.message : String(e);
    if (forced !== 'js') process.stderr.write(`trainscope: wasm kernels unavailable (${s.wasmError}); using js\n`);
  }
  if (existsSync(NATIVE_PATH)) {
    try {
      available.set('native', loadNativeKernels());
    } catch (e) {
      s.nativeError = e instanceof Error ? e.message : String(e);
      if (forced !== 'js' && forced !== 'wasm')
        process.stderr.write(`trainscope: native kernels unavailable (${s.nativeError}); using ${available.has('wasm') ? 'wasm' : 'js'}\n`);
    }
  } else {
    s.nativeError = 'the optional OpenBLAS addon was not built (apt-get install -y libopenblas-dev liblapacke-dev, then npm run build:native)';
  }
  const fastest = available.get('native') ?? available.get('wasm') ?? jsKernels;
  s.active = fastest;
  if (forced) {
    const k = available.get(forced as BackendName);
    if (k) s.active = k;
    else process.emitWarning(`TRAINSCOPE_BACKEND=${forced} is not available (have: ${[...available.keys()].join(', ')}); using ${fastest.name}`);
  }
  return s;
}

function loaded(): State {
  return (state ??= load());
}

/** The active backend; loads the backends on first use. */
export function kernels(): Kernels {
  return (state ??= load()).active;
}

/**
 * Loads the backends now rather than on first use (e.g. to keep the first step's timing clean).
 * Async so that a future asynchronous (browser) wasm compile can hide behind it.
 */
export async function init(): Promise<BackendName> {
  return loaded().active.name;
}

/** @internal Whether the backends have been loaded (the side-effect-free-import test reads it). */
export function backendsLoaded(): boolean {
  return state !== undefined;
}

/** Every backend that loaded (BackendName values), fastest last: js first (the reference), then wasm, then native. */
export function availableBackends(): string[] {
  const { available } = loaded();
  return BACKEND_NAMES.filter((n) => available.has(n));
}

/** A loaded backend by name (tests and benchmarks compare backends side by side). */
export function backend(name: BackendName): Kernels {
  const k = loaded().available.get(name);
  if (!k) throw new Error(`backend: '${name}' is not available (available: ${availableBackends().join(', ')})`);
  return k;
}

export function setBackend(name: BackendName | string): void {
  const s = loaded();
  const k = s.available.get(name as BackendName);
  if (!k) throw new Error(`setBackend: unknown backend '${name}' (available: ${availableBackends().join(', ')})`);
  s.active = k;
}

/** What `trainscope doctor` reports about the active backend. */
export interface BackendInfo {
  name: BackendName;
  /** True when the active GEMM uses SIMD (wasm SIMD128; OpenBLAS's own AVX-512/AVX2 kernels). */
  simd: boolean;
  /** What kind of SIMD, in words. */
  simdKind: string;
  /** Threads a kernel call may use now (native: the most a call may use; else 1). */
  threads: number;
  /** How the thread count is chosen, in words. */
  threadPolicy: string;
  /** The BLAS behind GEMM/QR/eigh: OpenBLAS's build string, or trainscope's own kernels. */
  blas: string;
  /** Why the wasm backend did not load, when it did not. */
  wasmError?: string;
  /** Why the native backend is not available, when it is not. */
  nativeError?: string;
}

export function backendInfo(): BackendInfo {
  const s = loaded();
  const name = s.active.name;
  let native: NativeInfo | undefined;
  if (name === 'native') native = nativeInfo();
  const info: BackendInfo = {
    name,
    simd: name !== 'js',
    simdKind: name === 'wasm' ? 'wasm SIMD128' : native ? `OpenBLAS ${native.corename} kernels` : 'none (scalar JavaScript)',
    threads: native ? native.maxThreads : 1,
    threadPolicy: native ? nativeThreadPolicy() : '1 (the js and wasm kernels run on the calling thread)',
    blas: native ? native.blas : name === 'wasm' ? 'trainscope wasm kernels (src/kernels/wasm)' : 'trainscope js kernels',
  };
  if (s.wasmError !== undefined) info.wasmError = s.wasmError;
  if (s.nativeError !== undefined) info.nativeError = s.nativeError;
  return info;
}
