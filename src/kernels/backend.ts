/** The active kernel backend. Only `js` exists in this build; faster ones register here. */
import type { Kernels } from './kernels.ts';
import { jsKernels } from './js.ts';

const available = new Map<string, Kernels>([['js', jsKernels]]);
let active: Kernels = pickInitial();

function pickInitial(): Kernels {
  const forced = process.env['TRAINSCOPE_BACKEND'];
  if (forced) {
    const k = available.get(forced);
    if (!k) {
      process.emitWarning(`TRAINSCOPE_BACKEND=${forced} is not available (have: ${[...available.keys()].join(', ')}); using js`);
      return jsKernels;
    }
    return k;
  }
  return jsKernels;
}

export function kernels(): Kernels {
  return active;
}

export function availableBackends(): string[] {
  return [...available.keys()];
}

export function setBackend(name: string): void {
  const k = available.get(name);
  if (!k) throw new Error(`setBackend: unknown backend '${name}' (available: ${[...available.keys()].join(', ')})`);
  active = k;
}
