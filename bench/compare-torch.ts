/**
 * Prints trainscope's bench JSON (one object per backend) beside PyTorch's (bench/torch.py) with
 * ratios, then one JSON line { backends, torch, ratios } on stdout.
 * Ratio per field, backend over torch: for *_gflops, ours/torch (≥ 1 is as fast); for *_ms,
 * and *_s, our time / torch's time (≤ 1 is as fast); hvp_over_grad is the plain quotient of the two ratios.
 * A torch field `<f>_default_threads` (GEMM at PyTorch's own default thread count) is set beside
 * our `<f>`, measured at trainscope's defaults (native: automatic threads).
 * Usage: tsx bench/compare-torch.ts ours.json torch.json
 */
import { readFileSync } from 'node:fs';

const [oursPath, torchPath] = process.argv.slice(2);
if (!oursPath || !torchPath) {
  process.stderr.write('usage: tsx bench/compare-torch.ts ours.json torch.json\n');
  process.exit(2);
}
/** The last line of a file that is a JSON object (tolerates npm's banner lines before it). */
function lastJson(path: string): unknown {
  const line = readFileSync(path, 'utf8')
    .split('\n')
    .reverse()
    .find((l) => l.trimStart().startsWith('{'));
  if (!line) throw new Error(`${path}: no JSON object line`);
  return JSON.parse(line);
}
const ours = lastJson(oursPath) as Record<string, Record<string, number>>;
const torchOut = lastJson(torchPath) as { torch: Record<string, number>; meta: Record<string, unknown> };
const torch = torchOut.torch;
// 'sweeps' (bench/sweeps.ts) is not a backend and has no PyTorch counterpart.
const backends = Object.keys(ours).filter((k) => k !== 'sweeps');
const fields = Object.keys(torch);

const ratios: Record<string, Record<string, number>> = {};
const fmt = (x: number | undefined, w = 10): string => (x === undefined ? '—' : String(Math.round(x * 1000) / 1000)).padStart(w);
const header = ['field'.padEnd(34), 'torch'.padStart(10), ...backends.flatMap((b) => [b.padStart(10), `${b}/torch`.padStart(12)])].join(' ');
const lines = [header];
for (const f of fields) {
  const row = [f.padEnd(34), fmt(torch[f])];
  for (const b of backends) {
    const v = ours[b]?.[f] ?? ours[b]?.[f.replace(/_default_threads$/, '')];
    const r = v === undefined || !torch[f] ? undefined : v / torch[f]!;
    if (r !== undefined) (ratios[b] ??= {})[f] = Math.round(r * 1000) / 1000;
    row.push(fmt(v), fmt(r, 12));
  }
  lines.push(row.join(' '));
}
process.stderr.write(
  `PyTorch ${String(torchOut.meta['torch'])}, ${String(torchOut.meta['threads'])} thread(s) (*_default_threads: ${String(torchOut.meta['default_threads'] ?? '?')}), BLAS ${String(torchOut.meta['blas'])}\n`,
);
process.stderr.write('ratios: *_gflops and *_per_s ours/torch (higher is better); *_ms, *_s and hvp_over_grad ours/torch (lower is better)\n');
process.stderr.write(`${lines.join('\n')}\n`);
process.stdout.write(`${JSON.stringify({ backends: ours, torch: torchOut, ratios })}\n`);
