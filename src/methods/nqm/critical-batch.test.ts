import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitCriticalBatch } from './critical-batch.ts';

test('fitCriticalBatch recovers S_min, E_min and B_crit = E_min/S_min from an exact hyperbola', () => {
  const rows = [1, 4, 16, 64, 256, 1024, 4096, 16384].map((B) => ({ B, steps: 100 + 100_000 / B }));
  const f = fitCriticalBatch(rows);
  assert.ok(Math.abs(f.bCrit - 1000) / 1000 < 1e-6, JSON.stringify(f));
  assert.ok(Math.abs(f.sMin - 100) < 1e-4 && Math.abs(f.eMin - 100_000) < 1);
  assert.ok(f.r2 > 0.999999);
  assert.equal(f.n, 8);
});

test('fitCriticalBatch skips unreachable rows, reports a worse r2 for noisy data, and refuses too few rows', () => {
  const rows = [2, 8, 32, 128, 512, 2048].map((B, i) => ({ B, steps: (50 + 20_000 / B) * (i % 2 ? 1.2 : 0.85) }));
  const f = fitCriticalBatch([...rows, { B: 8192, steps: null }]);
  assert.equal(f.n, 6);
  assert.ok(f.r2 < 0.999 && f.r2 > 0.8, `r2 ${f.r2}`);
  assert.ok(f.bCrit > 100 && f.bCrit < 2000, `bCrit ${f.bCrit}`);
  assert.throws(
    () =>
      fitCriticalBatch([
        { B: 4, steps: 10 },
        { B: 8, steps: null },
      ]),
    /at least two reached rows/,
  );
  assert.throws(
    () =>
      fitCriticalBatch([
        { B: 4, steps: 10 },
        { B: 4, steps: 12 },
      ]),
    /distinct batch sizes/,
  );
  assert.throws(
    () =>
      fitCriticalBatch([
        { B: -1, steps: 10 },
        { B: 4, steps: 12 },
      ]),
    /batch sizes must be positive/,
  );
});
