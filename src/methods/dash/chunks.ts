/** The chunked-data protocol's data: a keyed split into J equal chunks, their unions, optional label noise. */
import { Tensor } from '../../tensor/tensor.ts';
import * as random from '../../tensor/random.ts';
import type { Key } from '../../tensor/prng.ts';
import { concat } from '../../tensor/ops.ts';
import { takeRows } from '../../data/loader.ts';
import type { Examples } from '../../train/train-step.ts';

/** J chunks of ⌊n/J⌋ examples each in a keyed random order (the remainder is left out, as the official equal split). */
export function splitChunks(data: Examples, chunks: number, key: Key): Examples[] {
  const n = data.x.shape[0]!;
  if (!Number.isInteger(chunks) || chunks < 1) throw new Error(`splitChunks: the number of chunks must be a positive integer, got ${String(chunks)}`);
  if (chunks > n) throw new Error(`splitChunks: ${chunks} chunks need at least ${chunks} examples, the data has ${n}`);
  const size = Math.floor(n / chunks);
  const order = random.permutation(key, n).data as Int32Array;
  return Array.from({ length: chunks }, (_, j) => {
    const idx = order.subarray(j * size, (j + 1) * size);
    return { x: takeRows(data.x, idx, 'splitChunks'), y: takeRows(data.y, idx, 'splitChunks') };
  });
}

/** Chunks 0..j concatenated, oldest first. */
export function unionOf(chunks: readonly Examples[], j: number): Examples {
  const part = chunks.slice(0, j + 1);
  return part.length === 1
    ? part[0]!
    : {
        x: concat(
          part.map((c) => c.x),
          0,
        ),
        y: concat(
          part.map((c) => c.y),
          0,
        ),
      };
}

/** Replaces a keyed fraction `rate` of the labels by a uniformly drawn *different* class. */
export function withLabelNoise(data: Examples, rate: number, numClasses: number, key: Key): Examples {
  if (!(rate >= 0 && rate <= 1)) throw new Error(`label noise: rate must be in [0, 1], got ${String(rate)}`);
  if (rate === 0) return data;
  const n = data.y.shape[0]!;
  const [kPick, kClass] = random.split(key, 2) as [Key, Key];
  const flip = random.uniform(kPick, [n]).data;
  const shift = random.randint(kClass, 1, numClasses, [n]).data;
  const y = Int32Array.from(data.y.data as Int32Array);
  for (let i = 0; i < n; i++) if (flip[i]! < rate) y[i] = (y[i]! + shift[i]!) % numClasses;
  return { x: data.x, y: new Tensor(y, [n], 'int32') };
}
