/**
 * The one stylesheet shared by report.html and index.html, inlined into each page: no external
 * CSS, fonts or scripts, so a page opens offline, from a file:// URL or an e-mail attachment.
 */
export const PAGE_CSS = `
:root { --fg: #1b1f24; --muted: #59636e; --line: #d8dee4; --bg-soft: #f6f8fa; --pass: #1a7f37; --pass-bg: #dafbe1; --fail: #cf222e; --fail-bg: #ffebe9; --warn-bg: #fff8c5; --warn: #7d4e00; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--fg); background: #fff; font: 15px/1.55 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; }
main { max-width: 1100px; margin: 0 auto; padding: 24px 28px 48px; }
h1 { font-size: 1.7em; margin: 0.2em 0 0.3em; line-height: 1.25; }
h2 { font-size: 1.3em; margin: 1.8em 0 0.6em; padding-bottom: 0.25em; border-bottom: 1px solid var(--line); }
h3 { font-size: 1.05em; margin: 1.2em 0 0.4em; }
a { color: #0969da; }
code, pre { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 0.9em; }
code { background: var(--bg-soft); padding: 0.1em 0.3em; border-radius: 4px; }
pre { background: var(--bg-soft); padding: 12px; border-radius: 6px; overflow: auto; }
pre code { background: none; padding: 0; }
.muted, .crumb { color: var(--muted); }
.crumb { margin: 0; font-size: 0.9em; }
.facts { color: var(--muted); margin: 0.2em 0; }
table { border-collapse: collapse; margin: 0.5em 0 1em; width: 100%; }
th, td { border: 1px solid var(--line); padding: 6px 10px; text-align: left; vertical-align: top; }
th { background: var(--bg-soft); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.claim-id { display: block; color: var(--muted); font-size: 0.85em; }
.badge { display: inline-block; padding: 0.1em 0.6em; border-radius: 999px; font-size: 0.8em; font-weight: 700; letter-spacing: 0.03em; white-space: nowrap; }
.badge.pass { color: var(--pass); background: var(--pass-bg); }
.badge.fail { color: var(--fail); background: var(--fail-bg); }
.badge.not-evaluated { color: var(--muted); background: var(--bg-soft); border: 1px dashed var(--line); }
.badge.status { color: var(--warn); background: var(--warn-bg); }
.badge.status.complete { color: var(--pass); background: var(--pass-bg); }
.count { font-size: 0.75em; font-weight: 600; color: var(--muted); margin-left: 0.5em; }
.banner { background: var(--warn-bg); color: var(--warn); border: 1px solid #d4a72c; border-radius: 6px; padding: 10px 14px; margin: 1em 0; }
figure { margin: 1.2em 0 2em; }
figure .svg { overflow-x: auto; }
figure .svg svg { max-width: 100%; height: auto; }
figcaption { color: var(--muted); margin-top: 0.4em; }
ul.notes { background: var(--warn-bg); color: var(--warn); border-radius: 6px; padding: 8px 8px 8px 28px; font-size: 0.9em; }
.files { font-size: 0.85em; color: var(--muted); margin: 0.3em 0; }
.entry { border: 1px solid var(--line); border-radius: 8px; padding: 4px 18px 10px; margin: 18px 0; }
.entry h2 { border: 0; margin-top: 0.7em; }
footer { margin-top: 3em; color: var(--muted); font-size: 0.85em; }
`.trim();
