/** Every registered experiment, by id. Adding an experiment = one import and one entry. */
import type { Experiment } from './experiment.ts';
import { mnistMlp } from './baselines/mnist-mlp.ts';
import { langevinTeacherStudent } from './langevin/teacher-student.ts';
import { langevinClassification } from './langevin/classification.ts';
import { langevinWidth } from './langevin/width.ts';

export const EXPERIMENTS: readonly Experiment<any, any>[] = [mnistMlp, langevinTeacherStudent, langevinClassification, langevinWidth];

export function getExperiment(id: string): Experiment<any, any> {
  const exp = EXPERIMENTS.find((e) => e.id === id);
  if (!exp) throw new Error(`unknown experiment '${id}' (registered: ${EXPERIMENTS.map((e) => e.id).join(', ')})`);
  return exp;
}
