/**
 * `npx tsx bench/linalg-js.ts`: median wall time (ms) of the raw float64 dense routines on
 * fixed-seed inputs: eighSymmetric at n = 256 and qrHouseholder at 1024×64.
 */
import { eighSymmetric, qrHouseholder } from '../src/kernels/dense.ts';
import { medianMs as time } from './timing.ts';

/** Deterministic standard normals (32-bit LCG + Box–Muller). */
function randn(length: number, seed: number): Float64Array {
  let state = seed >>> 0;
  const uniform = (): number => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return (state + 0.5) / 2 ** 32;
  };
  return Float64Array.from({ length }, () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform()));
}

const n = 256;
const g = randn(n * n, 1);
const sym = g.map((_, k) => 0.5 * (g[k]! + g[(k % n) * n + Math.floor(k / n)]!));
const tall = randn(1024 * 64, 2);

const eighMs = time(() => eighSymmetric(sym, n), 15, 5);
const qrMs = time(() => qrHouseholder(tall, 1024, 64), 31, 10);
console.log(`eigh 256:      ${eighMs.toFixed(2)} ms`);
console.log(`QR 1024×64:    ${qrMs.toFixed(2)} ms`);
