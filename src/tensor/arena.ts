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
import { noteAllocation, takeRecycled } from './buffer-pool.ts';

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
  if (!s) return noted(new Float32Array(size));
  const at = s.carve(size * 4);
  return new Float32Array(s.current, at, size);
}

export function allocateFloat64(size: number): Float64Array {
  const s = slabsFor(size * 8);
  if (!s) return noted(new Float64Array(size));
  const at = s.carve(size * 8);
  return new Float64Array(s.current, at, size);
}

/**
 * An output array whose every element the caller is about to overwrite (elementwise loops, row
 * copies): large ones skip the zero fill. `new Float64Array(n)` of 800 KB costs ≈ 25 µs of
 * zeroing and page faults; Node's `Buffer.allocUnsafe` hands back recycled, unzeroed memory in
 * ≈ 2 µs; a buffer its owner recycled (buffer-pool.ts) costs nothing. Smaller sizes come from the slabs above (already cheap); without Node's Buffer (a
 * browser) this is plain zero-filled allocation. Never use it for an output that is accumulated
 * into or written only in part: the old bytes would leak into results.
 */
export function allocateUninitialized<D extends 'float64' | 'float32'>(dtype: D, size: number): D extends 'float64' ? Float64Array : Float32Array;
export function allocateUninitialized(dtype: 'float64' | 'float32', size: number): Float64Array | Float32Array {
  const width = dtype === 'float64' ? 8 : 4;
  if (size * width > MEDIUM_MAX) {
    const reused = takeRecycled(dtype, size);
    if (reused) return noted(reused);
  }
  if (size * width <= MEDIUM_MAX || unsafeBytes === undefined) return dtype === 'float64' ? allocateFloat64(size) : allocateFloat32(size);
  const bytes = unsafeBytes(size * width);
  return noted(dtype === 'float64' ? new Float64Array(bytes.buffer, bytes.byteOffset, size) : new Float32Array(bytes.buffer, bytes.byteOffset, size));
}

/** Large arrays (own buffers, never slab views) are noted for the buffer pool's ownership rule. */
function noted<A extends Float64Array | Float32Array>(a: A): A {
  noteAllocation(a);
  return a;
}

// Node's Buffer, looked up once (absent in browsers). Sizes here are > 64 KiB, so each call gets
// its own ArrayBuffer (Buffer's shared pool serves only requests under 4 KiB).
const unsafeBytes: ((n: number) => Uint8Array) | undefined =
  typeof (globalThis as { Buffer?: { allocUnsafe?: unknown } }).Buffer?.allocUnsafe === 'function'
    ? (n) => (globalThis as unknown as { Buffer: { allocUnsafe(n: number): Uint8Array } }).Buffer.allocUnsafe(n)
    : undefined;

/** A zero-filled array for a primitive's output (see the file comment). */
export function allocateOutput(dtype: DType, size: number): TypedArray {
  switch (dtype) {
    case 'float64':
      return allocateFloat64(size);
    case 'float32':
      return allocateFloat32(size);
    case 'int32':
      return new Int32Array(size);
    case 'bool':
      return new Uint8Array(size);
  }
}
