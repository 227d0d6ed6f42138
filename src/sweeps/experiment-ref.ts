/**
 * How a worker (a thread, or a process on another machine) finds a cell's experiment: by id in
 * the registry, or, for experiments that are not registered (tests, a user's own file), by a
 * module that exports `EXPERIMENTS` (an array of experiments) and the id within it.
 */
import { pathToFileURL } from 'node:url';
import { isAbsolute, resolve } from 'node:path';
import { getExperiment } from '../experiments/registry.ts';
import type { Experiment } from '../experiments/experiment.ts';

export interface ExperimentRef {
  id: string;
  /** A file URL (or path) of a module exporting `EXPERIMENTS`; absent: the registry. */
  module?: string;
}

const toUrl = (m: string): string => (m.startsWith('file:') ? m : pathToFileURL(isAbsolute(m) ? m : resolve(m)).href);

export async function loadExperiment(ref: ExperimentRef): Promise<Experiment<any, any>> {
  if (ref.module === undefined) return getExperiment(ref.id);
  const url = toUrl(ref.module);
  let mod: { EXPERIMENTS?: unknown };
  try {
    mod = (await import(url)) as { EXPERIMENTS?: unknown };
  } catch (e) {
    throw new Error(`cannot load experiments module ${ref.module}: ${(e as Error).message}`);
  }
  if (!Array.isArray(mod.EXPERIMENTS)) throw new Error(`experiments module ${ref.module} has no EXPERIMENTS array export`);
  const exp = (mod.EXPERIMENTS as Experiment<any, any>[]).find((e) => e.id === ref.id);
  if (!exp)
    throw new Error(`experiment '${ref.id}' is not in ${ref.module} (it has: ${(mod.EXPERIMENTS as Experiment<any, any>[]).map((e) => e.id).join(', ')})`);
  return exp;
}

/** A ref that names its module by absolute file URL, so it means the same thing in any thread. */
export function portableRef(ref: ExperimentRef): ExperimentRef {
  return ref.module === undefined ? { id: ref.id } : { id: ref.id, module: toUrl(ref.module) };
}
