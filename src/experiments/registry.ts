/** Every registered experiment, by id. Adding an experiment = one import and one entry. */
import type { Experiment } from './experiment.ts';
import { mnistMlp } from './baselines/mnist-mlp.ts';
import { criticalBatchSize } from './nqm/critical-batch-size.ts';
import { schedules } from './nqm/schedules.ts';
import { realNetworks } from './nqm/real-networks.ts';
import { quboSolvers } from './qubo-qnn/solvers.ts';
import { quboTrain } from './qubo-qnn/train.ts';
import { hessianSpectrum } from './spectral/hessian-spectrum.ts';
import { langevinTeacherStudent } from './langevin/teacher-student.ts';
import { langevinClassification } from './langevin/classification.ts';
import { langevinWidth } from './langevin/width.ts';
import { convergence as amortizedEigenConvergence } from './amortized-eigen/convergence.ts';
import { nuclearNorm as amortizedEigenNuclearNorm } from './amortized-eigen/nuclear-norm.ts';
import { lowrankGcn as amortizedEigenLowrankGcn } from './amortized-eigen/lowrank-gcn.ts';
import { latentPca as amortizedEigenLatentPca } from './amortized-eigen/latent-pca.ts';
import { prunedSgd } from './sgd-chaos/pruned-sgd.ts';
import { divergence } from './sgd-chaos/divergence.ts';
import { lyapunov } from './sgd-chaos/lyapunov.ts';
import { dashAblation } from './dash/ablation.ts';
import { dashFeatureLearning } from './dash/feature-learning.ts';
import { dashWarmStart } from './dash/warm-start.ts';

export const EXPERIMENTS: readonly Experiment<any, any>[] = [
  mnistMlp,
  criticalBatchSize,
  schedules,
  realNetworks,
  quboSolvers,
  quboTrain,
  hessianSpectrum,
  langevinTeacherStudent,
  langevinClassification,
  langevinWidth,
  amortizedEigenConvergence,
  amortizedEigenNuclearNorm,
  amortizedEigenLowrankGcn,
  amortizedEigenLatentPca,
  prunedSgd,
  divergence,
  lyapunov,
  dashFeatureLearning,
  dashWarmStart,
  dashAblation,
];

export function getExperiment(id: string): Experiment<any, any> {
  const exp = EXPERIMENTS.find((e) => e.id === id);
  if (!exp) throw new Error(`unknown experiment '${id}' (registered: ${EXPERIMENTS.map((e) => e.id).join(', ')})`);
  return exp;
}
