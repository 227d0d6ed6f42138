// The top eigenvalues of my model's Hessian (README, "Hessian spectra"): `npx tsx examples/hessian-top.ts`.
import { data, nn, random, spectral, softmaxCrossEntropy } from '../src/index.ts';

const model = nn.mlp({ sizes: [784, 32, 10] }),
  params = model.init(random.key(0));
const { train } = data.loadMnist({ train: 1000, test: 100 });
const H = spectral.fullBatchHessianOperator((p: typeof params, b) => softmaxCrossEntropy(model.apply(p, b.x), b.y), params, train);
const { largest } = spectral.lanczos(H, { key: random.key(1), largest: 5 });
console.log(largest.values, largest.residuals); // descending, and ‖Hv − λv‖ of each
