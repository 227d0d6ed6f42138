/** Every registered experiment, by id. Adding an experiment = one import and one entry. */
import type { Experiment } from './experiment.ts';
import { mnistMlp } from './baselines/mnist-mlp.ts';
import { criticalBatchSize } from './nqm/critical-batch-size.ts';
import { schedules } from './nqm/schedules.ts';
import { realNetworks } from './nqm/real-networks.ts';
import { quboSolvers } from './qubo-qnn/solvers.ts';
import { quboTrain } from './qubo-qnn/train.ts';
import { hessianSpectrum } from './spectral/hessian-spectrum.ts';

export const EXPERIMENTS: readonly Experiment<any, any>[] = [
  mnistMlp,
  criticalBatchSize,
  schedules,
  realNetworks,
  quboSolvers,
  quboTrain,
  hessianSpectrum,
];

export function getExperiment(id: string): Experiment<any, any> {
  const exp = EXPERIMENTS.find((e) => e.id === id);
  if (!exp) throw new Error(`unknown experiment '${id}' (registered: ${EXPERIMENTS.map((e) => e.id).join(', ')})`);
  return exp;
}
