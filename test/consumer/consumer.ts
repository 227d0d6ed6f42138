// A downstream project's file, type-checked by scripts/consumer-test.mjs against the packed
// package under strict NodeNext settings (noUncheckedIndexedAccess, exactOptionalPropertyTypes,
// skipLibCheck off, so trainscope's .d.ts files are checked too). It is compiled, not run.
import { data, grad, linalg, mul, nn, optim, random, sum, tensor, train, type Tensor, type TrainResult } from 'trainscope';

const cube = (x: Tensor): Tensor => sum(mul(mul(x, x), x));
const g: Tensor = grad(cube)(tensor([1, 2, 3]));
const { values, vectors } = linalg.eigh(
  tensor([
    [2, 1],
    [1, 2],
  ]),
);
const firstValue: number | undefined = values.data[0];

const set = data.gaussianMixture(random.key(0), { n: 64, dim: 4, classes: 2 });
const model = nn.mlp({ sizes: [4, 8, 2], activation: 'relu' });
const run: TrainResult = train({ model, optimizer: optim.adam(1e-2), train: set, batchSize: 16, steps: 4, seed: 0 });
const last = run.metrics.at(-1);
export const summary: string = `${Array.from(g.data).join(',')} ${firstValue ?? 'none'} ${vectors.shape.join('x')} ${last?.['loss'] ?? 'no loss'}`;
