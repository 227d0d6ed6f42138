/**
 * How a tensor prints: `Tensor(float64, [2, 2]) [[1, 2], [3, 4]]` — dtype, shape, then the
 * values as nested lists (8 significant digits), summarized NumPy-style (the first and last
 * EDGE_ITEMS entries of each axis around `...`) when the tensor has more than SUMMARY_THRESHOLD
 * elements. Long output puts the values on their own lines, one row per line.
 */
export const SUMMARY_THRESHOLD = 1000;
export const EDGE_ITEMS = 3;
const MAX_INLINE = 100;

/** The fields read (no import of Tensor: tensor.ts imports this file). */
export interface Printable {
  readonly shape: readonly number[];
  readonly dtype: string;
  readonly data: ArrayLike<number>;
}

function formatValue(v: number, dtype: string): string {
  if (dtype === 'bool') return v ? 'true' : 'false';
  if (dtype === 'int32' || Number.isInteger(v) || !Number.isFinite(v)) return String(v);
  return String(Number(v.toPrecision(8)));
}

export function formatTensor(t: Printable): string {
  const { shape, dtype, data } = t;
  const head = `Tensor(${dtype}, [${shape.join(', ')}])`;
  const summarize = data.length > SUMMARY_THRESHOLD;
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  // Rows of the innermost lists, as strings, nested per axis; `multiline` breaks between sub-lists.
  const build = (axis: number, offset: number, multiline: boolean): string => {
    if (axis === shape.length) return formatValue(Number(data[offset]), dtype);
    const n = shape[axis]!;
    const picks: (number | null)[] =
      summarize && n > 2 * EDGE_ITEMS
        ? [...Array.from({ length: EDGE_ITEMS }, (_, i) => i), null, ...Array.from({ length: EDGE_ITEMS }, (_, i) => n - EDGE_ITEMS + i)]
        : Array.from({ length: n }, (_, i) => i);
    const parts = picks.map((i) => (i === null ? '...' : build(axis + 1, offset + i * strides[axis]!, multiline)));
    const inner = axis < shape.length - 1;
    const sep = multiline && inner ? `,${'\n'.repeat(shape.length - axis - 1)}${' '.repeat(axis + 1)}` : ', ';
    return `[${parts.join(sep)}]`;
  };
  if (data.length === 0 && shape.length > 0) return `${head} []`;
  const inline = build(0, 0, false);
  if (inline.length <= MAX_INLINE || shape.length < 2) return `${head} ${inline}`;
  return `${head}\n${build(0, 0, true)}`;
}
