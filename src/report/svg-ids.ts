/**
 * Vega numbers the ids inside each SVG it writes from 1 (`clip1`, gradients, …). Two figures
 * inlined into one HTML page would then share ids, and `url(#clip1)` in the second figure would
 * clip to the first figure's shape. Prefixing every id (and each reference to it) keeps inlined
 * figures independent.
 */
export function scopeSvgIds(svg: string, prefix: string): string {
  const ids = new Set<string>();
  for (const m of svg.matchAll(/\sid="([^"]+)"/g)) ids.add(m[1]!);
  if (ids.size === 0) return svg;
  const p = prefix.replace(/[^A-Za-z0-9_-]/g, '_');
  return svg
    .replace(/(\sid=")([^"]+)(")/g, (all, a: string, id: string, b: string) => (ids.has(id) ? `${a}${p}-${id}${b}` : all))
    .replace(/url\(#([^)]+)\)/g, (all, id: string) => (ids.has(id) ? `url(#${p}-${id})` : all))
    .replace(/((?:xlink:)?href=")#([^"]+)(")/g, (all, a: string, id: string, b: string) => (ids.has(id) ? `${a}#${p}-${id}${b}` : all));
}
