/**
 * The experiment contract: a typed, validated config with presets, a `run` that logs metrics
 * through `RunIO`, and a `report` that turns the result into figures, tables and claims.
 */
import type { z } from 'zod';
import type { Key } from '../tensor/prng.ts';
import type { ReportSpec } from '../report/spec.ts';
import type { ExperimentSweeps } from './sweep-types.ts';

export type PresetName = 'smoke' | 'small' | 'paper';
export const PRESETS: readonly PresetName[] = ['smoke', 'small', 'paper'];

export interface ProgressUpdate {
  /** What is running now, e.g. 'adam'. */
  stage: string;
  step: number;
  total: number;
  loss?: number;
}

export interface RunIO {
  readonly seed: number;
  readonly key: Key;
  /**
   * Who this run is ({ configHash, seed }): pass it as a trainer checkpoint's `meta`, so a
   * checkpoint left by another run is refused instead of continued.
   */
  readonly checkpointMeta?: Readonly<{ configHash: string; seed: number }>;
  /** Append one record to metrics.jsonl (deterministic content only: no timings). */
  log(record: Record<string, unknown>): void;
  progress(update: ProgressUpdate): void;
  /** Aborted on Ctrl-C: stop at a step boundary, keep checkpoints, return. */
  readonly signal: AbortSignal;
  /**
   * A resumable unit of work. A stage that finished in an earlier (interrupted) attempt returns
   * its saved result without running; records logged inside a stage reach metrics.jsonl only
   * when it completes, so a resumed run writes exactly what an uninterrupted one would.
   * `fn` gets a checkpoint path it may use to resume mid-stage.
   */
  stage<T>(name: string, fn: (checkpointPath: string) => T | Promise<T>): Promise<T>;
}

export interface Experiment<C extends Record<string, unknown> = Record<string, unknown>, R = unknown> {
  /** e.g. 'baselines/mnist-mlp' */
  readonly id: string;
  readonly title: string;
  /** Citation of the paper (or 'baseline'). */
  readonly paper: string;
  readonly description: string;
  /**
   * Strict schema; its defaults are the 'small' preset. Any zod schema whose *output* is C: a
   * `z.object({...}).strict()`, with `.default()`s (its input differs from C, hence the `any`),
   * or wrapped in `.refine`/`.superRefine` for checks across keys. No cast is needed.
   */
  readonly config: z.ZodType<C, z.ZodTypeDef, any>;
  readonly presets: { smoke: Partial<C>; small: Partial<C>; paper?: Partial<C> };
  run(cfg: C, io: RunIO): Promise<R>;
  report(result: R, cfg: C): ReportSpec;
  /**
   * Optional: the experiment's own grids and its claims across cells (src/sweeps/README.md).
   * Its result type is left open here so an Experiment<C, R> stays assignable across R;
   * defineExperiment types it exactly.
   */
  readonly sweep?: ExperimentSweeps<C, any>;
}

/**
 * Declare an experiment with its config type inferred from the schema, so `run(cfg)` and
 * `report(r, cfg)` see the parsed config's exact type without writing it out:
 * `export const myExp = defineExperiment({ config: z.object({...}).strict(), ... })`.
 */
export function defineExperiment<S extends z.ZodType<Record<string, unknown>, z.ZodTypeDef, any>, R>(
  exp: Omit<Experiment<z.output<S>, R>, 'config' | 'sweep'> & { readonly config: S; readonly sweep?: ExperimentSweeps<z.output<S>, R> },
): Experiment<z.output<S>, R> {
  return exp;
}

/** Raised when a run was interrupted (Ctrl-C); the run folder stays marked incomplete. */
export class RunInterrupted extends Error {
  constructor() {
    super('interrupted');
    this.name = 'RunInterrupted';
  }
}
