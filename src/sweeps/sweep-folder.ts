/**
 * A sweep folder: sweep.json (what the sweep is, and each cell's status), cells/<cell-id>/ (one
 * ordinary run folder per cell), aggregate.json, report.html/report.md and figures/. Only the
 * submitting process writes sweep.json (atomically), so workers never race on it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../train/checkpoint.ts';
import { readRun } from '../experiments/run-folder.ts';
import type { SweepAxes } from '../experiments/sweep-types.ts';
import type { PresetName } from '../experiments/experiment.ts';
import type { ExperimentRef } from './experiment-ref.ts';
import type { CellStatus } from './run-cell.ts';
import type { Cell } from './spec.ts';

export const SWEEP_FORMAT = 'trainscope.sweep';

export interface SweepCellEntry {
  id: string;
  values: Record<string, unknown>;
  seed: number;
  status: CellStatus;
  error?: string;
  /** Backend and trainscope version that ran the cell. */
  backend?: string;
  trainscope?: string;
}

export interface SweepFile {
  format: typeof SWEEP_FORMAT;
  version: 1;
  name: string;
  experiment: ExperimentRef;
  preset: PresetName;
  sets: string[];
  axes: SweepAxes;
  axisKeys: string[];
  seeds: number[];
  createdAt: string;
  /** The backend and version of the submitting side (cells run elsewhere are compared to it). */
  submitter: { backend: string; trainscope: string };
  cells: SweepCellEntry[];
}

export const cellDir = (sweepDir: string, id: string): string => join(sweepDir, 'cells', id);

export function readSweep(dir: string): SweepFile {
  const path = join(dir, 'sweep.json');
  let s: SweepFile;
  try {
    s = JSON.parse(readFileSync(path, 'utf8')) as SweepFile;
  } catch (e) {
    throw new Error(`${dir} is not a sweep folder (${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  if (s.format !== SWEEP_FORMAT) throw new Error(`${path} is not a trainscope sweep file`);
  return s;
}

export function writeSweep(dir: string, s: SweepFile): void {
  writeFileAtomic(join(dir, 'sweep.json'), `${JSON.stringify(s, null, 2)}\n`);
}

/** A cell's status from its run folder (the truth; sweep.json is the summary of it). */
export function cellFolderStatus(dir: string): CellStatus {
  if (!existsSync(join(dir, 'manifest.json'))) return 'pending';
  const { manifest } = readRun(dir);
  return manifest.status === 'complete' ? 'complete' : manifest.status === 'failed' ? 'failed' : 'incomplete';
}

/**
 * The sweep file for `cells` in `dir`: a fresh one, or the existing one (which must describe the
 * same cells) with each status re-read from its folder.
 */
export function openSweep(dir: string, fresh: Omit<SweepFile, 'cells' | 'createdAt'>, cells: readonly Cell[]): SweepFile {
  if (existsSync(join(dir, 'sweep.json'))) {
    const old = readSweep(dir);
    const same = old.experiment.id === fresh.experiment.id && old.cells.length === cells.length && old.cells.every((c, i) => c.id === cells[i]!.id);
    if (!same) throw new Error(`${dir} holds a different sweep (other experiment, axes, seeds or config); choose another --out`);
    return {
      ...old,
      submitter: fresh.submitter,
      cells: old.cells.map((c) => {
        const status = cellFolderStatus(cellDir(dir, c.id));
        return status === 'complete' || status === c.status ? { ...c, status } : { id: c.id, values: c.values, seed: c.seed, status };
      }),
    };
  }
  return {
    ...fresh,
    createdAt: new Date().toISOString(),
    cells: cells.map((c) => ({ id: c.id, values: c.values, seed: c.seed, status: cellFolderStatus(cellDir(dir, c.id)) })),
  };
}
