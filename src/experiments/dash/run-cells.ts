/**
 * Runs a list of warm-start cells sequentially, one resumable stage each, logging each row (the
 * stand-in for a sweep: once the sweeps layer lands, the same cells and `evaluateCell` become a
 * sweep over (strategy × seed) and run on a worker pool).
 */
import { RunInterrupted, type RunIO } from '../experiment.ts';
import { evaluateCell, type CellConfig, type CellResult } from './cells.ts';

export const cellName = (c: CellConfig): string => `${c.strategy}-l${c.dashLambda}-a${c.dashAlpha}-s${c.seed}`;

export async function runCells(cells: readonly CellConfig[], io: RunIO): Promise<CellResult[]> {
  const out: CellResult[] = [];
  for (const [i, cell] of cells.entries()) {
    if (io.signal.aborted) throw new RunInterrupted();
    out.push(
      await io.stage(cellName(cell), async () => {
        io.progress({ stage: cellName(cell), step: i, total: cells.length });
        const r = await evaluateCell(cell, io.key, io.signal);
        if (io.signal.aborted) throw new RunInterrupted();
        for (const row of r.rows) io.log({ ...row, lambda: cell.dashLambda, alpha: cell.dashAlpha });
        return r;
      }),
    );
  }
  return out;
}
