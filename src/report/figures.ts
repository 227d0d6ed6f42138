/**
 * Figures: a vega-lite spec (data inline) → vega → SVG in Node with no browser (a headless View,
 * renderer 'none', `toSVG()`), then SVG → PNG with resvg (a Rust renderer shipped as prebuilt
 * npm binaries, so nothing is compiled or downloaded at install).
 *
 * Log axes: values ≤ 0 silently blank a vega log plot, so every log scale's data is checked after
 * the dataflow has run (see log-scale-check.ts). The default policy is 'error': the figure fails
 * with a message naming the figure, field and count, because a reproduction should not quietly
 * hide data. `nonPositiveLog: 'drop'` instead filters those points out and returns a warning
 * (writeReport prints it under the figure), for data where zeros are legitimate (e.g. a loss that
 * reaches exactly 0).
 */
import { existsSync } from 'node:fs';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { FigureSpec } from './spec.ts';
import { FigureError } from './figure-error.ts';

export { FigureError };
import { describeLogScaleProblem, dropNonPositiveLogValues, findLogScaleProblems } from './log-scale-check.ts';

/** 'fail' and 'error' mean the same: throw a FigureError. */
export type NonPositiveLogPolicy = 'error' | 'fail' | 'drop';

export interface RenderOptions {
  /** What to do with values ≤ 0 on a log scale: throw (default) or drop them with a warning. */
  nonPositiveLog?: NonPositiveLogPolicy;
  /** PNG pixels per SVG pixel (default 2, sharp on high-DPI screens and in Markdown viewers). */
  pngScale?: number;
}

export interface RenderedFigure {
  svg: string;
  png: Uint8Array;
  /** Things a reader should know: dropped points, vega/vega-lite warnings, missing fonts. */
  warnings: string[];
}

/** A vega logger that collects messages instead of printing them (vega logs dataflow errors rather than throwing). */
function collectingLogger(errors: string[], warnings: string[]): vega.LoggerInterface {
  const text = (args: unknown[]): string => args.map((a) => (a instanceof Error ? a.message : typeof a === 'string' ? a : JSON.stringify(a))).join(' ');
  return vega.logger(vega.Warn, undefined, (_method, level, args) => {
    (level === 'ERROR' ? errors : warnings).push(text(args));
  });
}

/** Refuse every load: figures carry their data inline, and rendering must never touch the network or disk. */
function noLoader(figureId: string): vega.Loader {
  const refuse = (uri: string): never => {
    throw new FigureError(figureId, `figure '${figureId}': refusing to load '${uri}'; figures must carry their data inline (data: { values: [...] })`);
  };
  return {
    load: async (uri: string) => refuse(uri),
    sanitize: async (uri: string) => refuse(uri),
    http: async (uri: string) => refuse(uri),
    file: async (uri: string) => refuse(uri),
  };
}

/** Find `data.url` anywhere in a vega-lite spec, to fail with a clear message before compiling. */
function findDataUrl(node: unknown): string | null {
  if (!node || typeof node !== 'object') return null;
  if (Array.isArray(node)) {
    for (const c of node) {
      const u = findDataUrl(c);
      if (u !== null) return u;
    }
    return null;
  }
  const n = node as Record<string, unknown>;
  const data = n.data as { url?: unknown } | undefined;
  if (data && typeof data === 'object' && typeof data.url === 'string') return data.url;
  for (const [k, v] of Object.entries(n)) {
    if (k === 'data' || k === 'datasets') continue;
    const u = findDataUrl(v);
    if (u !== null) return u;
  }
  return null;
}

interface SvgResult {
  svg: string;
  problems: ReturnType<typeof findLogScaleProblems>;
  warnings: string[];
}

async function vegaLiteToSvg(fig: FigureSpec, vlSpec: Record<string, unknown>): Promise<SvgResult> {
  const errors: string[] = [];
  const warnings: string[] = [];
  const logger = collectingLogger(errors, warnings);
  let vgSpec: vega.Spec;
  try {
    vgSpec = compile(vlSpec as unknown as TopLevelSpec, { logger }).spec;
  } catch (e) {
    throw new FigureError(
      fig.id,
      `figure '${fig.id}': invalid vega-lite spec (check mark types, encodings and transform expressions): ${(e as Error).message}`,
    );
  }
  let view: vega.View;
  try {
    view = new vega.View(vega.parse(vgSpec), { renderer: 'none', logger, loader: noLoader(fig.id) });
  } catch (e) {
    throw new FigureError(fig.id, `figure '${fig.id}': vega could not parse the compiled spec: ${(e as Error).message}`);
  }
  try {
    await view.runAsync();
    if (errors.length) throw new FigureError(fig.id, `figure '${fig.id}': vega failed: ${errors.join('; ')}`);
    const problems = findLogScaleProblems(vgSpec, view);
    const svg = await view.toSVG();
    if (errors.length) throw new FigureError(fig.id, `figure '${fig.id}': vega failed: ${errors.join('; ')}`);
    return { svg, problems, warnings: warnings.map((w) => `figure '${fig.id}': ${w}`) };
  } finally {
    view.finalize();
  }
}

/** The fonts resvg can find; without any, PNGs lose all their text (the SVGs are unaffected). */
const FONT_DIRS = ['/usr/share/fonts', '/usr/local/share/fonts', '/System/Library/Fonts', '/Library/Fonts', 'C:\\Windows\\Fonts'];
let fontWarning: string | null | undefined;
function checkFonts(): string | null {
  if (fontWarning === undefined) {
    fontWarning = FONT_DIRS.some((d) => existsSync(d))
      ? null
      : `no system fonts found (${FONT_DIRS.slice(0, 2).join(', ')}): PNG figures will have no text; on Debian: apt-get install -y fonts-dejavu-core`;
  }
  return fontWarning;
}

type ResvgModule = typeof import('@resvg/resvg-js');
let resvgModule: Promise<ResvgModule> | undefined;
/** Loaded lazily, so a platform without a resvg binary still gets a clear error only when PNGs are asked for. */
function loadResvg(): Promise<ResvgModule> {
  resvgModule ??= import('@resvg/resvg-js').catch((e: Error) => {
    resvgModule = undefined;
    throw new Error(`PNG rendering needs @resvg/resvg-js with a prebuilt binary for ${process.platform}-${process.arch}: ${e.message}`);
  });
  return resvgModule;
}

/** SVG text → PNG bytes. Vega writes `font-family="sans-serif"`, mapped here to DejaVu Sans (Debian's default font). */
export async function svgToPng(svg: string, scale = 2): Promise<Uint8Array> {
  const { Resvg } = await loadResvg();
  const resvg = new Resvg(svg, {
    background: 'white',
    fitTo: { mode: 'zoom', value: scale },
    font: {
      loadSystemFonts: true,
      defaultFontFamily: 'DejaVu Sans',
      sansSerifFamily: 'DejaVu Sans',
      serifFamily: 'DejaVu Serif',
      monospaceFamily: 'DejaVu Sans Mono',
    },
  });
  return new Uint8Array(resvg.render().asPng());
}

/** Render one figure to SVG and PNG. Throws FigureError naming the figure when it cannot. */
export async function renderFigure(fig: FigureSpec, opts: RenderOptions = {}): Promise<RenderedFigure> {
  const policy = fig.nonPositiveLog ?? opts.nonPositiveLog ?? 'error';
  if (!fig.vegaLite || typeof fig.vegaLite !== 'object') throw new FigureError(fig.id, `figure '${fig.id}': vegaLite must be a vega-lite spec object`);
  const vl = fig.vegaLite as Record<string, unknown>;
  const url = findDataUrl(vl);
  if (url !== null) throw new FigureError(fig.id, `figure '${fig.id}': data must be inline (data: { values: [...] }), not loaded from '${url}'`);

  let result = await vegaLiteToSvg(fig, vl);
  const dropped: string[] = [];
  if (result.problems.length) {
    const lines = result.problems.map((p) => describeLogScaleProblem(fig.id, p));
    if (policy !== 'drop') {
      throw new FigureError(
        fig.id,
        `${lines.join('; ')}. A log axis cannot show them (vega would draw a blank plot): filter or clip them in the experiment's report(), use scale type 'symlog', or render with nonPositiveLog: 'drop'`,
      );
    }
    result = await vegaLiteToSvg(fig, dropNonPositiveLogValues(vl));
    if (result.problems.length) {
      throw new FigureError(
        fig.id,
        `${result.problems.map((p) => describeLogScaleProblem(fig.id, p)).join('; ')} (even after dropping non-positive values of log-scaled fields)`,
      );
    }
    dropped.push(...lines.map((l) => `${l}: those points were dropped`));
  }
  // Warnings of the figure actually drawn (vega's own 'domain includes zero' from the first try is moot).
  const warnings = [...dropped, ...result.warnings];
  const fonts = checkFonts();
  if (fonts) warnings.push(fonts);
  let png: Uint8Array;
  try {
    png = await svgToPng(result.svg, opts.pngScale ?? 2);
  } catch (e) {
    throw new FigureError(fig.id, `figure '${fig.id}': ${(e as Error).message}`);
  }
  return { svg: result.svg, png, warnings };
}
