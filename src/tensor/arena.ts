/**
 * Output buffers for primitives. A typed array of more than 64 bytes costs V8 a separate
 * zero-filled backing store plus external-memory bookkeeping (≈1–3 µs), which dominates small
 * models (the 256-20-10 MLP step allocates ~40 such arrays). Mid-sized outputs are instead carved
 * as views out of shared slabs: a bump pointer, no reuse, so a view's bytes are fresh zeros and
 * immutable tensors stay safe. A slab is freed by GC once none of its views is alive.
 *
 * Trade-off: a long-lived small view keeps its whole slab alive. Only arrays of MIN_BYTES to
 * MAX_BYTES use slabs, so the worst case holds SLAB_BYTES / MIN_BYTES (≈ 512×) the live bytes;
 * arrays ≤ 64 bytes are already cheap (V8 keeps them on its heap) and large ones gain nothing.
 * Code that reads `.buffer` must use `byteOffset`/`byteLength` (it always had to for subarrays).
 */
import type { DType, TypedArray } from './dtype.ts';

const MIN_BYTES = 65;
const MAX_BYTES = 16384;
const SLAB_BYTES = 1 << 15;

let slab = new ArrayBuffer(SLAB_BYTES);
let used = 0;

function carve(bytes: number): [ArrayBuffer, number] {
  const rounded = (bytes + 7) & ~7;
  if (used + rounded > SLAB_BYTES) {
    slab = new ArrayBuffer(SLAB_BYTES);
    used = 0;
  }
  const at = used;
  used += rounded;
  return [slab, at];
}

/** A zero-filled array for a primitive's output (see the file comment). */
export function allocateOutput(dtype: DType, size: number): TypedArray {
  switch (dtype) {
    case 'float64': {
      const bytes = size * 8;
      if (bytes < MIN_BYTES || bytes > MAX_BYTES) return new Float64Array(size);
      const [buf, at] = carve(bytes);
      return new Float64Array(buf, at, size);
    }
    case 'float32': {
      const bytes = size * 4;
      if (bytes < MIN_BYTES || bytes > MAX_BYTES) return new Float32Array(size);
      const [buf, at] = carve(bytes);
      return new Float32Array(buf, at, size);
    }
    case 'int32': return new Int32Array(size);
    case 'bool': return new Uint8Array(size);
  }
}
