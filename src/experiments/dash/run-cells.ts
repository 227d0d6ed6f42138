/**
 * Runs a list of warm-start cells one after another in this run, one resumable stage each,
 * logging each row. The parallel form is the experiment's sweep (`trainscope sweep dash/warm-start`),
 * whose cells are the same computations.
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
        // Progress in chunks over the whole list, so the bar moves (and has an ETA) within a cell.
        const total = cells.length * cell.chunks;
        io.progress({ stage: cellName(cell), step: i * cell.chunks, total });
        const r = await evaluateCell(cell, io.signal, (chunk) => io.progress({ stage: cellName(cell), step: i * cell.chunks + chunk + 1, total }));
        if (io.signal.aborted) throw new RunInterrupted();
        for (const row of r.rows) io.log({ ...row, lambda: cell.dashLambda, alpha: cell.dashAlpha });
        return r;
      }),
    );
  }
  return out;
}
