import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FigureError, renderFigure } from './figures.ts';
import { countColor, decodePng } from '../../test/support/png-pixels.ts';
import { lineFigure, logPointFigure } from '../../test/support/test-fixtures.ts';
import type { FigureSpec } from './spec.ts';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** The `d` attributes of the paths inside vega's mark group of the given type ('line', 'symbol', …). */
function markPaths(svg: string, mark: string): string[] {
  const groups = [...svg.matchAll(new RegExp(`<g class="mark-${mark} role-mark[^"]*"[^>]*>([\\s\\S]*?)</g>`, 'g'))];
  return groups.flatMap((g) => [...g[1]!.matchAll(/<path[^>]*\sd="([^"]+)"/g)].map((m) => m[1]!));
}

function assertPng(png: Uint8Array): void {
  assert.deepEqual([...png.subarray(0, 8)], PNG_SIGNATURE, 'PNG signature');
  assert.ok(png.length > 5000, `PNG is only ${png.length} bytes`);
}

describe('renderFigure', () => {
  it('renders a line chart to an SVG with one drawn path per series and a PNG', async () => {
    const { svg, png, warnings } = await renderFigure(lineFigure('loss', 20));
    assert.ok(svg.startsWith('<svg'), 'starts with <svg');
    const lines = markPaths(svg, 'line');
    assert.equal(lines.length, 2, 'one line per optimizer');
    for (const d of lines) assert.equal((d.match(/L/g) ?? []).length, 19, `20 points → 19 segments in ${d.slice(0, 40)}…`);
    assert.match(svg, />sgd</, 'legend label');
    assertPng(png);
    // The PNG really shows both curves (vega's first two category colours), not just axes.
    const px = decodePng(png);
    assert.ok(countColor(px, [0x4c, 0x78, 0xa8]) > 200, 'blue line in the PNG');
    assert.ok(countColor(px, [0xf5, 0x85, 0x18]) > 200, 'orange line in the PNG');
    assert.deepEqual(warnings, []);
  });

  it('renders a log-scale chart with one symbol per point', async () => {
    const values = [3, 1, 0.3, 0.1, 0.03, 0.01, 1e-3];
    const { svg, png } = await renderFigure(logPointFigure(values));
    assert.equal(markPaths(svg, 'symbol').length, values.length);
    assert.match(svg, />0\.01</, 'log axis tick label');
    assertPng(png);
  });

  it('throws a FigureError naming the figure and field for a value ≤ 0 on a log axis', async () => {
    await assert.rejects(renderFigure(logPointFigure([1, 0, 0.1, -2], 'spectrum')), (e: unknown) => {
      assert.ok(e instanceof FigureError);
      assert.equal(e.figureId, 'spectrum');
      assert.match(e.message, /figure 'spectrum'/);
      assert.match(e.message, /2 of 4 values of field 'lambda' are ≤ 0/);
      return true;
    });
  });

  it("drops non-positive log values with a warning under nonPositiveLog: 'drop'", async () => {
    const { svg, warnings } = await renderFigure(logPointFigure([1, 0, 0.1, 0.01], 'spectrum'), { nonPositiveLog: 'drop' });
    assert.equal(markPaths(svg, 'symbol').length, 3);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /figure 'spectrum': 1 of 4 values of field 'lambda'.*dropped/);
  });

  it('checks fields derived by transforms and inside layers', async () => {
    const fig: FigureSpec = {
      id: 'smoothed',
      title: 'smoothed',
      vegaLite: {
        data: {
          values: [
            { s: 1, v: 1 },
            { s: 2, v: -1 },
            { s: 3, v: -1 },
            { s: 4, v: 2 },
          ],
        },
        transform: [{ window: [{ op: 'mean', field: 'v', as: 'avg' }], frame: [-1, 0], sort: [{ field: 's' }] }],
        layer: [{ mark: 'line' }, { mark: 'point' }],
        encoding: { x: { field: 's', type: 'quantitative' }, y: { field: 'avg', type: 'quantitative', scale: { type: 'log' } } },
      },
    };
    await assert.rejects(renderFigure(fig), /field 'avg' are ≤ 0/);
    const { svg } = await renderFigure(fig, { nonPositiveLog: 'drop' });
    assert.equal(markPaths(svg, 'symbol').length, 2, 'avg = 1 and 0.5 kept, 0 and -1 dropped');
  });

  it('refuses data loaded from a URL', async () => {
    const fig: FigureSpec = { id: 'remote', title: 'r', vegaLite: { data: { url: 'https://example.org/x.json' }, mark: 'point' } };
    await assert.rejects(renderFigure(fig), /figure 'remote': data must be inline/);
  });

  it('reports an invalid spec with the figure id', async () => {
    const fig: FigureSpec = {
      id: 'bad',
      title: 'b',
      vegaLite: {
        data: { values: [{ a: 1 }] },
        mark: 'point',
        encoding: { x: { field: 'a', type: 'quantitative' } },
        transform: [{ calculate: 'datum.a +', as: 'b' }],
      },
    };
    await assert.rejects(renderFigure(fig), /figure 'bad'/);
  });

  it('escapes markup in data labels and is deterministic', async () => {
    const fig: FigureSpec = {
      id: 'esc',
      title: 'e',
      vegaLite: {
        data: {
          values: [
            { name: '<script>alert(1)</script>', v: 1 },
            { name: 'a & b', v: 2 },
          ],
        },
        mark: 'bar',
        encoding: { x: { field: 'name', type: 'nominal' }, y: { field: 'v', type: 'quantitative' } },
      },
    };
    const a = await renderFigure(fig);
    assert.ok(!a.svg.includes('<script'), 'no raw <script> in the SVG');
    assert.ok(a.svg.includes('&lt;script'), 'the label is escaped');
    const b = await renderFigure(fig);
    assert.equal(a.svg, b.svg);
    assert.deepEqual(a.png, b.png);
  });
});
