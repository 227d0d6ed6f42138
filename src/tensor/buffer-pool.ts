/**
 * Large float arrays that their owner has proven dead, kept for reuse. Tensors are immutable and
 * garbage-collected, so nothing here guesses liveness: only code that can prove no one reads an
 * array any more hands it back (the trainer, for the state two steps back and a finished step's
 * gradients and batch when no hook has seen them). `allocateUninitialized` (arena.ts) takes from
 * the pool first, so a training loop reuses the same few buffers instead of allocating ~7 fresh
 * 0.4–0.8 MB arrays a step, whose zeroing and the GC they provoke (V8 collects on external-memory
 * growth) cost more than the arithmetic of a small model's update.
 *
 * Only arrays that own their whole ArrayBuffer and are larger than the arena's slab sizes are
 * accepted (a slab view shares its buffer with live neighbours), at most MAX_PER_SIZE per
 * (dtype, length); the rest is left to the GC as before.
 */
type FloatArray = Float64Array | Float32Array;

const MIN_BYTES = 65536;
const MAX_PER_SIZE = 8;
const f64 = new Map<number, FloatArray[]>();
const f32 = new Map<number, FloatArray[]>();
const pooled = new WeakSet<ArrayBuffer>();

/** Hands dead arrays to the pool; returns how many were taken. The caller must never read or write them again. */
export function recycle(arrays: Iterable<FloatArray>): number {
  let taken = 0;
  for (const a of arrays) {
    const buffer = a.buffer as ArrayBuffer;
    if (a.byteOffset !== 0 || a.byteLength !== buffer.byteLength || a.byteLength <= MIN_BYTES || pooled.has(buffer)) continue;
    const shelf = a instanceof Float64Array ? f64 : f32;
    const list = shelf.get(a.length) ?? [];
    if (list.length >= MAX_PER_SIZE) continue;
    list.push(a);
    shelf.set(a.length, list);
    pooled.add(buffer);
    taken++;
  }
  return taken;
}

/** A pooled array of this dtype and length (old contents), or undefined. */
export function takeRecycled(dtype: 'float64' | 'float32', length: number): FloatArray | undefined {
  const a = (dtype === 'float64' ? f64 : f32).get(length)?.pop();
  if (a) pooled.delete(a.buffer as ArrayBuffer);
  return a;
}

/** Empties the pool (tests; or to give the memory back to the GC). */
export function clearRecycled(): void {
  f64.clear();
  f32.clear();
}
