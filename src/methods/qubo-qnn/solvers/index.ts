/** Ising/QUBO solvers behind one interface (solver.ts). */
export * from './model.ts';
export * from './convert.ts';
export * from './solver.ts';
export { Xoshiro128 } from './rng.ts';
export { defaultBetaRange, geometricSchedule } from './beta-range.ts';
export { exactSolver, type ExactOptions, type ExactResult } from './exact.ts';
export { simulatedAnnealing, annealInPlace, type SaOptions } from './sa.ts';
export { tabuSearch, type TabuOptions } from './tabu.ts';
export { simulatedBifurcation, type SbOptions } from './sb.ts';
export { noisyOracle, quantizeModel, type NoisyOptions } from './noisy.ts';
export { externalSolver } from './external.ts';
export { tts99, ttsReport, type TtsReport } from './tts.ts';
export { randomInstance, plantedInstance } from './instances.ts';
