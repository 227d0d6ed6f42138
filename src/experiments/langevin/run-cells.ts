/** Runs a list of cells sequentially, one resumable stage each, logging each row (the stand-in for a sweep). */
import { RunInterrupted, type RunIO } from '../experiment.ts';
import { evaluateCell, rowRecord, type CellConfig, type CellRow } from './cells.ts';

export const cellName = (c: CellConfig): string => `${c.method}-M${c.width}-n${c.n}-s${c.seed}`;

export async function runCells(cells: readonly CellConfig[], io: RunIO): Promise<CellRow[]> {
  const rows: CellRow[] = [];
  for (const [i, cell] of cells.entries()) {
    if (io.signal.aborted) throw new RunInterrupted();
    rows.push(
      await io.stage(cellName(cell), () => {
        io.progress({ stage: cellName(cell), step: i, total: cells.length });
        const row = evaluateCell(cell, io.key);
        io.log({ ...rowRecord(row) });
        return row;
      }),
    );
  }
  return rows;
}
