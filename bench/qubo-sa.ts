/**
 * SA throughput for `npm run bench` (field sa_flips_per_s): attempted single-spin flips per second of
 * the simulated-annealing hot loop (solvers/sa.ts annealInPlace) on one core, on a sparse random
 * Ising instance (n = 1000, average degree 10, Gaussian couplings), 1000 sweeps with dwave-samplers'
 * default β range and geometric schedule. Best of several runs (bench/timing.ts bestMs).
 * dwave-samplers / OpenJij cannot be installed here (PyPI is unreachable), so no side-by-side run.
 */
import { key } from '../src/tensor/prng.ts';
import { randomInstance } from '../src/methods/qubo-qnn/solvers/instances.ts';
import { annealInPlace } from '../src/methods/qubo-qnn/solvers/sa.ts';
import { defaultBetaRange, geometricSchedule } from '../src/methods/qubo-qnn/solvers/beta-range.ts';
import { bestMs } from './timing.ts';

export function saFlipsPerSecond(n = 1000, degree = 10, sweeps = 1000, reps = 7): number {
  const m = randomInstance(key(1), n, degree);
  const [hot, cold] = defaultBetaRange(m);
  const betas = geometricSchedule(hot, cold, sweeps);
  const spins = new Float64Array(n);
  const state = Int32Array.of(0x9e3779b9 | 0, 0x243f6a88, 0x85a308d3 | 0, 0x13198a2e);
  const ms = bestMs(
    () => {
      for (let i = 0; i < n; i++) spins[i] = i & 1 ? 1 : -1;
      annealInPlace(m, spins, betas, state);
    },
    reps,
    2,
  );
  return (n * sweeps) / (ms / 1000);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write(`${JSON.stringify({ sa_flips_per_s: Math.round(saFlipsPerSecond()) })}\n`);
}
