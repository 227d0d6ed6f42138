/**
 * The native and wasm backends' vectorized float64 tanh/exp/sigmoid against the js loops (Math.*):
 * best-of times per call for array lengths around the hand-offs (native.ts and wasm.ts UNARY_MIN)
 * and for the [1600, 100] tanh of bench/gld-step.ts (n = 160 000). `npx tsx bench/unary-crossover.ts`. Raw kernels on both
 * sides (no hand-off), so each row compares the two loops themselves.
 */
import { jsKernels } from '../src/kernels/js.ts';
import { loadNativeKernels } from '../src/kernels/native.ts';
import { loadWasmKernels } from '../src/kernels/wasm.ts';
import { bestMs } from './timing.ts';

const native = loadNativeKernels({ raw: true });
const wasm = loadWasmKernels(undefined, { raw: true });
const ops = ['tanh', 'exp', 'sigmoid'] as const;

function row(n: number): string {
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = Math.sin(i) * 3;
  const out = new Float64Array(n);
  // Enough calls per sample that one sample takes ~1 ms or more.
  const calls = Math.max(1, Math.round(200_000 / n));
  const cells = ops.map((op) => {
    const js =
      bestMs(
        () => {
          for (let c = 0; c < calls; c++) jsKernels.unary(op, x, out);
        },
        15,
        3,
      ) / calls;
    const nat =
      bestMs(
        () => {
          for (let c = 0; c < calls; c++) native.unary(op, x, out);
        },
        15,
        3,
      ) / calls;
    const wa =
      bestMs(
        () => {
          for (let c = 0; c < calls; c++) wasm.unary(op, x, out);
        },
        15,
        3,
      ) / calls;
    const us = (ms: number): string => `${(ms * 1e3).toFixed(2)} µs`;
    return `${op} js ${us(js)}, native ${us(nat)} (${(js / nat).toFixed(2)}×), wasm ${us(wa)} (${(js / wa).toFixed(2)}×)`;
  });
  return `n = ${n}: ${cells.join(' | ')}`;
}

for (const n of [8, 16, 32, 64, 128, 256, 1024, 160_000]) console.log(row(n));
