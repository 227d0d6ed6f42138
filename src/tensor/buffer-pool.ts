/**
 * Large float arrays that their owner has proven dead, kept for reuse. Tensors are immutable and
 * garbage-collected, so nothing here guesses liveness: only code that can prove no one reads an
 * array any more hands it back (the trainer, for the state two steps back and a finished step's
 * gradients and batch when no hook has seen them). `allocateUninitialized` (arena.ts) takes from
 * the pool first, so a training loop reuses the same few buffers instead of allocating ~7 fresh
 * 0.4–0.8 MB arrays a step, whose zeroing and the GC they provoke (V8 collects on external-memory
 * growth) cost more than the arithmetic of a small model's update.
 *
 * Only arrays that own their whole ArrayBuffer, are larger than the arena's slab sizes (a slab view
 * shares its buffer with live neighbours) AND were allocated by the arena inside an
 * `ownAllocations` window (a training step: so a tensor made before the run — pretrained weights
 * handed back by `model.init`, a constant an optimizer was built with — can never be recycled,
 * whatever tree it turns up in) are accepted, at most MAX_PER_SIZE per (dtype, length); the rest
 * is left to the GC as before.
 */
type FloatArray = Float64Array | Float32Array;

const MIN_BYTES = 65536;
const MAX_PER_SIZE = 8;
const f64 = new Map<number, FloatArray[]>();
const f32 = new Map<number, FloatArray[]>();
const pooled = new WeakSet<ArrayBuffer>();
const owned = new WeakSet<ArrayBuffer>();
let ownedDepth = 0;

/** Counts since start-up: arrays taken into the pool, and handed out again (tests, diagnostics). */
export const stats = { recycled: 0, reused: 0 };

/** Runs `fn` with the arena's large allocations marked as recyclable (a training step; synchronous, nests). */
export function ownAllocations<T>(fn: () => T): T {
  ownedDepth++;
  try {
    return fn();
  } finally {
    ownedDepth--;
  }
}

/** Called by the arena for each large array it hands out. */
export function noteAllocation(a: FloatArray): void {
  if (ownedDepth > 0) owned.add(a.buffer as ArrayBuffer);
}

/** Hands dead arrays to the pool; returns how many were taken. The caller must never read or write them again. */
export function recycle(arrays: Iterable<FloatArray>): number {
  let taken = 0;
  for (const a of arrays) {
    const buffer = a.buffer as ArrayBuffer;
    if (a.byteOffset !== 0 || a.byteLength !== buffer.byteLength || a.byteLength <= MIN_BYTES || pooled.has(buffer) || !owned.has(buffer)) continue;
    const shelf = a instanceof Float64Array ? f64 : f32;
    const list = shelf.get(a.length) ?? [];
    if (list.length >= MAX_PER_SIZE) continue;
    list.push(a);
    shelf.set(a.length, list);
    pooled.add(buffer);
    taken++;
    stats.recycled++;
  }
  return taken;
}

/** A pooled array of this dtype and length (old contents), or undefined. */
export function takeRecycled(dtype: 'float64' | 'float32', length: number): FloatArray | undefined {
  const a = (dtype === 'float64' ? f64 : f32).get(length)?.pop();
  if (a) {
    pooled.delete(a.buffer as ArrayBuffer);
    stats.reused++;
  }
  return a;
}

/** Empties the pool (tests; or to give the memory back to the GC). */
export function clearRecycled(): void {
  f64.clear();
  f32.clear();
}
