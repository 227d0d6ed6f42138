/**
 * Output buffers for primitives and fused updates. A typed array of more than 64 bytes costs V8
 * a separate zero-filled backing store plus external-memory bookkeeping (≈1–3 µs), which
 * dominates small models (the 256-20-10 MLP step allocates ~40 such arrays). Mid-sized outputs
 * are instead carved as views out of shared slabs: a bump pointer, no reuse, so a view's bytes
 * are fresh zeros and immutable tensors stay safe. A slab is freed by GC once none of its views
 * is alive.
 *
 * Trade-off: a long-lived view keeps its whole slab alive. Two size classes bound that to
 * ≈256× the live bytes in the worst case (65 B – 1 KiB from 16 KiB slabs, up to 64 KiB from
 * 1 MiB slabs, which hold 16 or more); arrays ≤ 64 bytes are already cheap (V8 keeps them on
 * its heap) and large ones gain nothing. Code that reads `.buffer` must use
 * `byteOffset`/`byteLength` (it always had to, for subarrays).
 */
import type { DType, TypedArray } from './dtype.ts';

class Slabs {
  private slab: ArrayBuffer;
  private used = 0;
  constructor(private readonly slabBytes: number) {
    this.slab = new ArrayBuffer(slabBytes);
  }

  /** Byte offset of `bytes` fresh zero bytes in `this.current` (8-byte aligned). */
  carve(bytes: number): number {
    const rounded = (bytes + 7) & ~7;
    if (this.used + rounded > this.slabBytes) {
      this.slab = new ArrayBuffer(this.slabBytes);
      this.used = 0;
    }
    const at = this.used;
    this.used += rounded;
    return at;
  }

  get current(): ArrayBuffer {
    return this.slab;
  }
}

const SMALL_MAX = 1024;
const MEDIUM_MAX = 65536;
const small = new Slabs(16384);
const medium = new Slabs(1 << 20);

function slabsFor(bytes: number): Slabs | undefined {
  return bytes <= 64 ? undefined : bytes <= SMALL_MAX ? small : bytes <= MEDIUM_MAX ? medium : undefined;
}

export function allocateFloat32(size: number): Float32Array {
  const s = slabsFor(size * 4);
  if (!s) return new Float32Array(size);
  const at = s.carve(size * 4);
  return new Float32Array(s.current, at, size);
}

export function allocateFloat64(size: number): Float64Array {
  const s = slabsFor(size * 8);
  if (!s) return new Float64Array(size);
  const at = s.carve(size * 8);
  return new Float64Array(s.current, at, size);
}

/** A zero-filled array for a primitive's output (see the file comment). */
export function allocateOutput(dtype: DType, size: number): TypedArray {
  switch (dtype) {
    case 'float64': return allocateFloat64(size);
    case 'float32': return allocateFloat32(size);
    case 'int32': return new Int32Array(size);
    case 'bool': return new Uint8Array(size);
  }
}
