/** Small report specs shared by the report tests (not a test file itself). */
import type { ReportMeta } from '../../src/report/meta.ts';
import type { FigureSpec, ReportSpec } from '../../src/report/spec.ts';

export const lossRows = (n = 20): { step: number; loss: number; optimizer: string }[] =>
  ['sgd', 'adam'].flatMap((optimizer, k) => Array.from({ length: n }, (_, i) => ({ step: i, loss: Math.exp(-(i + 1) / (5 + 5 * k)), optimizer })));

export const lineFigure = (id = 'loss', n = 20): FigureSpec => ({
  id,
  title: 'Training loss',
  caption: 'Loss per step for two optimizers.',
  vegaLite: {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: 400,
    height: 240,
    data: { values: lossRows(n) },
    mark: 'line',
    encoding: {
      x: { field: 'step', type: 'quantitative' },
      y: { field: 'loss', type: 'quantitative' },
      color: { field: 'optimizer', type: 'nominal' },
    },
  },
});

/** Points on a log y axis; `values` lets a test put a zero in. */
export const logPointFigure = (values: number[], id = 'log-points'): FigureSpec => ({
  id,
  title: 'Eigenvalues (log scale)',
  vegaLite: {
    width: 300,
    height: 200,
    data: { values: values.map((v, i) => ({ k: i + 1, lambda: v })) },
    mark: 'point',
    encoding: {
      x: { field: 'k', type: 'quantitative' },
      y: { field: 'lambda', type: 'quantitative', scale: { type: 'log' } },
    },
  },
});

export const reportSpec = (over: Partial<ReportSpec> = {}): ReportSpec => ({
  title: 'Loss curves <script>alert("x")</script>',
  summary: 'We trained a **small MLP** with `sgd` and `adam`.\n\nSee [the paper](https://example.org/paper) for details.',
  figures: [lineFigure('loss'), logPointFigure([1, 0.5, 0.1, 0.01, 0.001], 'spectrum')],
  tables: [
    {
      id: 'final',
      title: 'Final loss',
      columns: ['optimizer', 'loss', 'steps'],
      rows: [
        ['sgd', 0.123456789, 20],
        ['adam <b>', 0.01, null],
      ],
    },
  ],
  claims: [
    { id: 'adam-faster', statement: 'Adam reaches a lower loss than SGD', expected: 'loss(adam) < loss(sgd)', observed: '0.01 < 0.12', pass: true },
    { id: 'sgd-target', statement: 'SGD reaches loss < 0.001 & stays <there>', expected: '< 0.001', observed: '0.12', pass: false },
  ],
  ...over,
});

export const reportMeta = (over: Partial<ReportMeta> = {}): ReportMeta => ({
  experiment: 'baselines/test-exp',
  title: 'A test experiment',
  paper: 'Doe & Roe (2024), "On <things>"',
  preset: 'smoke',
  seed: 7,
  config: { steps: 20, lr: 0.1, note: '</pre><script>x</script>' },
  status: 'complete',
  gitSha: '0123456789abcdef',
  node: 'v20.0.0',
  backend: 'js',
  dtype: 'float64',
  createdAt: '2025-01-01T00:00:00.000Z',
  ...over,
});
