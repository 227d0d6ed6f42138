/**
 * The js backend's layout copies (contract in kernels.ts): strided gathers and scatters over an
 * index map, the matrix transpose, block repeats, and the axis copies of concat, gather and
 * scatter-add. Pure data movement: values are copied (or, for scatter-add, summed in a fixed order).
 */
import type { DataArray } from './kernels.ts';
import { stridedIndex } from './js-index.ts';

export function gatherStrided(x: DataArray, out: DataArray, shape: readonly number[], stride: readonly number[], base: number): void {
  const map = stridedIndex(shape, stride);
  for (let i = 0; i < map.length; i++) out[i] = x[base + map[i]!]!;
}

export function scatterStrided(x: DataArray, out: DataArray, shape: readonly number[], stride: readonly number[], base: number): void {
  const map = stridedIndex(shape, stride);
  for (let i = 0; i < x.length; i++) out[base + map[i]!] = x[i]!;
}

export function transpose2d(x: DataArray, out: DataArray, r: number, c: number): void {
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = x[i * c + j]!;
}

export function tileInto(x: DataArray, out: DataArray): void {
  if (x.length === 1) out.fill(x[0]!);
  else for (let o = 0; o < out.length; o += x.length) out.set(x, o);
}

export function concat(parts: readonly DataArray[], lens: readonly number[], outer: number, inner: number, out: DataArray): void {
  const total = lens.reduce((acc, l) => acc + l, 0);
  let offset = 0;
  for (let p = 0; p < parts.length; p++) {
    const t = parts[p]!;
    const chunk = lens[p]! * inner;
    for (let o = 0; o < outer; o++) out.set(t.subarray(o * chunk, (o + 1) * chunk), o * total * inner + offset);
    offset += chunk;
  }
}

export function gatherAxis(x: DataArray, ids: DataArray, outer: number, len: number, inner: number, out: DataArray): void {
  for (let o = 0; o < outer; o++) {
    for (let k = 0; k < ids.length; k++) {
      const src = (o * len + ids[k]!) * inner;
      out.set(x.subarray(src, src + inner), (o * ids.length + k) * inner);
    }
  }
}

export function scatterAddAxis(u: DataArray, ids: DataArray, outer: number, len: number, inner: number, out: DataArray): void {
  for (let o = 0; o < outer; o++) {
    for (let k = 0; k < ids.length; k++) {
      const dst = (o * len + ids[k]!) * inner;
      const src = (o * ids.length + k) * inner;
      for (let i = 0; i < inner; i++) out[dst + i]! += u[src + i]!;
    }
  }
}
