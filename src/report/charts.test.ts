/** The typed figure helpers: their vega-lite specs, seed bands, the log-axis drop/fail policy, and rendering. */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { TopLevelSpec } from 'vega-lite';
import { heatMap, histogram, lineChart, scatterChart, seedBands } from './charts.ts';
import { FigureError, renderFigure } from './figures.ts';
import { writeReport } from './write-report.ts';
import { reportMeta, reportSpec } from '../../test/support/test-fixtures.ts';

/** The `d` attributes of the paths inside vega's mark group of the given type ('line', 'area', 'symbol', 'rect'). */
function markPaths(svg: string, mark: string): string[] {
  const groups = [...svg.matchAll(new RegExp(`<g class="mark-${mark} role-mark[^"]*"[^>]*>([\\s\\S]*?)</g>`, 'g'))];
  return groups.flatMap((g) => [...g[1]!.matchAll(/<path[^>]*\sd="([^"]+)"/g)].map((m) => m[1]!));
}
const values = (spec: unknown): Record<string, unknown>[] => (spec as { data: { values: Record<string, unknown>[] } }).data.values;

// Three seeds × two optimizers × 10 steps; seed 2 of sgd hits exactly 0 at step 9.
const runs = ['sgd', 'adam'].flatMap((optimizer, k) =>
  [0, 1, 2].flatMap((seed) =>
    Array.from({ length: 10 }, (_, i) => ({
      optimizer,
      seed,
      step: i + 1,
      loss: optimizer === 'sgd' && seed === 2 && i === 8 ? 0 : Math.exp(-(i + 1) / (3 + k)) * (1 + 0.1 * seed),
    })),
  ),
);

describe('seedBands', () => {
  it('computes the mean and a min–max or ±std band per (series, x), sorted', () => {
    const rows = [
      { s: 'a', x: 2, y: 1, seed: 0 },
      { s: 'a', x: 2, y: 3, seed: 1 },
      { s: 'a', x: 1, y: 5, seed: 0 },
      { s: 'b', x: 1, y: 2, seed: 0 },
    ];
    assert.deepEqual(seedBands(rows, { x: 'x', y: 'y', over: 'seed', series: 's' }), [
      { x: 1, y: 5, y_lower: 5, y_upper: 5, y_seeds: 1, s: 'a' },
      { x: 2, y: 2, y_lower: 1, y_upper: 3, y_seeds: 2, s: 'a' },
      { x: 1, y: 2, y_lower: 2, y_upper: 2, y_seeds: 1, s: 'b' },
    ]);
    const std = seedBands(rows, { x: 'x', y: 'y', over: 'seed', series: 's', kind: 'std' });
    assert.deepEqual([std[1]!['y_lower'], std[1]!['y_upper']], [1, 3]); // mean 2, population std 1
  });
});

describe('lineChart', () => {
  it('builds a typed vega-lite line spec with a log y axis, one line per series', async () => {
    const fig = lineChart({ id: 'loss', title: 'Loss', data: runs.filter((r) => r.seed === 0), x: 'step', y: 'loss', series: 'optimizer', logY: true });
    const spec: TopLevelSpec = fig.vegaLite; // vega-lite's own type, no cast
    assert.ok('mark' in spec && 'encoding' in spec);
    assert.deepEqual(spec.mark, { type: 'line', point: false });
    const enc = spec.encoding as Record<string, Record<string, unknown>>;
    assert.deepEqual(enc['y']!['scale'], { type: 'log' });
    assert.deepEqual(enc['color'], { field: 'optimizer', type: 'nominal', title: 'optimizer' });
    assert.equal(fig.nonPositiveLog, 'fail');
    const { svg, warnings } = await renderFigure(fig);
    assert.equal(markPaths(svg, 'line').length, 2);
    assert.deepEqual(
      warnings.filter((w) => !/fonts/.test(w)),
      [],
    );
  });

  it('draws seed bands: a mean line and a shaded band per series', async () => {
    const fig = lineChart({
      id: 'band',
      title: 'Loss over seeds',
      data: runs.filter((r) => r.step < 9),
      x: 'step',
      y: 'loss',
      series: 'optimizer',
      band: { over: 'seed' },
    });
    const rows = values(fig.vegaLite);
    assert.equal(rows.length, 16, '2 series × 8 steps');
    const first = rows[0]!;
    assert.equal(first['optimizer'], 'adam');
    assert.equal(first['loss_seeds'], 3);
    assert.ok((first['loss_lower'] as number) < (first['loss'] as number) && (first['loss'] as number) < (first['loss_upper'] as number));
    const { svg } = await renderFigure(fig);
    assert.equal(markPaths(svg, 'line').length, 2);
    assert.equal(markPaths(svg, 'area').length, 2);
  });

  it("'fail' (the default): a value ≤ 0 on a log axis throws, naming the figure, the field and the count", () => {
    assert.throws(
      () => lineChart({ id: 'loss-log', title: 'Loss', data: runs, x: 'step', y: 'loss', series: 'optimizer', logY: true }),
      (e: unknown) =>
        e instanceof FigureError &&
        e.figureId === 'loss-log' &&
        /figure 'loss-log': 1 of 60 values of field 'loss' are ≤ 0 \(e\.g\. 0\) on its log y axis/.test(e.message),
    );
    // A ±std band whose lower edge goes below zero cannot be drawn on a log axis either.
    const wide = [
      { step: 1, seed: 0, loss: 0.1 },
      { step: 1, seed: 1, loss: 0.1 },
      { step: 1, seed: 2, loss: 10 },
    ];
    assert.throws(
      () => lineChart({ id: 'std', title: 't', data: wide, x: 'step', y: 'loss', logY: true, band: { over: 'seed', kind: 'std' } }),
      /field 'loss_lower' are ≤ 0/,
    );
  });

  it("'drop': the points go, and the figure and its caption say how many", async () => {
    const fig = lineChart({
      id: 'loss-drop',
      title: 'Loss',
      caption: 'Per step.',
      data: runs,
      x: 'step',
      y: 'loss',
      series: 'optimizer',
      logY: true,
      nonPositive: 'drop',
    });
    assert.equal(values(fig.vegaLite).length, 59);
    assert.equal(fig.caption, 'Per step. Note: 1 non-positive value dropped from log y axis.');
    assert.deepEqual((fig.vegaLite as { title: { text: string } }).title.text, 'Note: 1 non-positive value dropped from log y axis');
    const { svg } = await renderFigure(fig);
    assert.match(svg, /Note: 1 non-positive value dropped from log y axis/, 'the note is drawn in the SVG');
    const xs = [0, 0, -1, 2].map((v, i) => ({ step: v, loss: i + 1 }));
    const both = lineChart({ id: 'xy', title: 't', data: xs, x: 'step', y: 'loss', logX: true, nonPositive: 'drop' });
    assert.equal(both.caption, 'Note: 3 non-positive values dropped from log x axis.');
  });

  it('refuses a field no row has', () => {
    assert.throws(() => lineChart({ id: 'typo', title: 't', data: runs, x: 'stpe', y: 'loss' }), /figure 'typo': no row has field 'stpe'/);
  });
});

describe('scatterChart, heatMap, histogram', () => {
  it('scatter: one point per row, log x, quantitative colour', async () => {
    const data = [1e-3, 1e-2, 1e-1, 1].map((lr, i) => ({ lr, finalLoss: 1 / (i + 1), batch: 2 ** i }));
    const fig = scatterChart({
      id: 'lr',
      title: 'Final loss vs learning rate',
      data,
      x: 'lr',
      y: 'finalLoss',
      color: 'batch',
      colorType: 'quantitative',
      logX: true,
    });
    const enc = (fig.vegaLite as unknown as { encoding: Record<string, Record<string, unknown>> }).encoding;
    assert.deepEqual(enc['x']!['scale'], { type: 'log' });
    const { svg } = await renderFigure(fig);
    assert.equal(markPaths(svg, 'symbol').length, 4);
    assert.throws(
      () => scatterChart({ id: 'lr0', title: 't', data: [...data, { lr: 0, finalLoss: 1, batch: 1 }], x: 'lr', y: 'finalLoss', logX: true }),
      /figure 'lr0': 1 of 5 values of field 'lr' are ≤ 0 .*log x axis/,
    );
  });

  it('heat map: one cell per grid point, optional labels, log colour follows the policy', async () => {
    const data = [0.01, 0.1].flatMap((lr) => [32, 64, 128].map((batch) => ({ lr, batch, acc: lr * batch })));
    const fig = heatMap({ id: 'grid', title: 'Accuracy', data, x: 'lr', y: 'batch', value: 'acc', labels: true });
    const { svg } = await renderFigure(fig);
    assert.equal(markPaths(svg, 'rect').length, 6);
    assert.equal((svg.match(/<g class="mark-text role-mark/g) ?? []).length, 1);
    const withZero = [...data, { lr: 1, batch: 32, acc: 0 }];
    assert.throws(
      () => heatMap({ id: 'g0', title: 't', data: withZero, x: 'lr', y: 'batch', value: 'acc', logColor: true }),
      /field 'acc' are ≤ 0.*log color axis/,
    );
    const dropped = heatMap({ id: 'g1', title: 't', data: withZero, x: 'lr', y: 'batch', value: 'acc', logColor: true, nonPositive: 'drop' });
    assert.equal(dropped.caption, 'Note: 1 non-positive value dropped from log color axis.');
  });

  it('histogram: exact counts in equal or log-spaced bins, per series', async () => {
    const xs = Array.from({ length: 100 }, (_, i) => i / 10); // 0 … 9.9
    const fig = histogram({ id: 'h', title: 'Values', data: xs, bins: 10 });
    const bins = values(fig.vegaLite) as { start: number; end: number; count: number }[];
    assert.equal(bins.length, 10);
    assert.equal(
      bins.reduce((a, b) => a + b.count, 0),
      100,
    );
    assert.ok(
      bins.every((b) => b.count === 10),
      JSON.stringify(bins.map((b) => b.count)),
    );
    const { svg } = await renderFigure(fig);
    assert.equal(markPaths(svg, 'rect').length, 10);
    // Bars stand on the x axis (y + height = plot height), on a linear and on a log count axis.
    const barsStand = (svgText: string, n: number): void => {
      const bars = markPaths(svgText, 'rect').map(
        (d) =>
          d
            .match(/^M[-\d.e]+,([-\d.e]+)h[-\d.e]+v([-\d.e]+)/)!
            .slice(1)
            .map(Number) as [number, number],
      );
      assert.equal(bars.length, n);
      for (const [y, h] of bars) {
        assert.ok(h > 1, `bar height ${h}`);
        assert.ok(Math.abs(y + h - 300) < 1e-6, `bar bottom at ${y + h}`);
      }
    };
    barsStand(svg, 10);
    barsStand((await renderFigure(histogram({ id: 'h1', title: 't', data: [1, 2, 2, 3, 3, 3], bins: 3, logY: true }))).svg, 3);

    const spectrum = [1e-4, 1e-3, 1e-3, 1e-2, 1e-1, 1, 10, 0, -5].map((v, i) => ({ lambda: v, model: i % 2 ? 'a' : 'b' }));
    assert.throws(
      () => histogram({ id: 'eig', title: 't', data: spectrum, field: 'lambda', logX: true }),
      /figure 'eig': 2 of 9 values of field 'lambda' are ≤ 0/,
    );
    const logFig = histogram({ id: 'eig', title: 't', data: spectrum, field: 'lambda', series: 'model', bins: 5, logX: true, logY: true, nonPositive: 'drop' });
    const logBins = values(logFig.vegaLite) as { series: string; start: number; end: number; count: number }[];
    assert.equal(
      logBins.reduce((a, b) => a + b.count, 0),
      7,
    );
    assert.ok(Math.abs(logBins[0]!.end / logBins[0]!.start - 10) < 1e-9, 'log-spaced: each bin spans a factor 10 (5 bins over 5 decades)');
    assert.equal(logFig.caption, 'Note: 2 non-positive values dropped from log x axis.');
    const rendered = await renderFigure(logFig);
    assert.equal(markPaths(rendered.svg, 'rect').length, logBins.length);
  });

  it('the helpers go through writeReport: SVG and PNG files, the note in report.md', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'trainscope-charts-'));
    const figures = [
      lineChart({ id: 'loss', title: 'Loss', data: runs, x: 'step', y: 'loss', series: 'optimizer', logY: true, nonPositive: 'drop', band: { over: 'seed' } }),
      histogram({ id: 'hist', title: 'Final losses', data: runs.filter((r) => r.step === 10).map((r) => r.loss), bins: 5 }),
    ];
    await writeReport(dir, reportSpec({ figures }), reportMeta());
    for (const f of ['loss', 'hist']) for (const ext of ['svg', 'png']) assert.ok(existsSync(join(dir, 'figures', `${f}.${ext}`)), `${f}.${ext}`);
    assert.match(readFileSync(join(dir, 'report.md'), 'utf8'), /Note: 1 non-positive value dropped from log y axis/);
  });
});
