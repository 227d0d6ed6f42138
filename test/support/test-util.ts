/** Assertions shared by the nn tests (not part of the public API). */
import assert from 'node:assert/strict';
import type { Tensor } from '../../src/tensor/tensor.ts';

export function assertClose(got: Tensor | ArrayLike<number>, want: Tensor | ArrayLike<number>, tol: number, what = ''): void {
  const a = 'data' in got ? got.data : got;
  const b = 'data' in want ? want.data : want;
  if ('shape' in got && 'shape' in want) assert.deepEqual(got.shape, want.shape, `${what} shape`);
  assert.equal(a.length, b.length, `${what} length`);
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(Number(a[i]) - Number(b[i]));
    if (!(d <= tol * Math.max(1, Math.abs(Number(b[i]))))) assert.fail(`${what}[${i}]: got ${a[i]}, want ${b[i]} (|Δ| ${d} > ${tol})`);
  }
}
