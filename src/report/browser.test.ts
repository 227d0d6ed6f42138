/**
 * Opens a generated report.html and index.html in headless Chromium (Debian's `chromium`), takes
 * screenshots and checks that the figures really render: the vega line colours are on screen and
 * the SVGs with their data marks are in the DOM. Skipped when /usr/bin/chromium (or $CHROMIUM) is
 * absent; each Chromium run is killed, with its whole process group, after a timeout.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { writeIndex } from './index-page.ts';
import { countColor, decodePng, inkFraction } from '../../test/support/png-pixels.ts';
import { reportMeta, reportSpec } from '../../test/support/test-fixtures.ts';
import { writeReport } from './write-report.ts';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? false : `${CHROMIUM} not found (Debian: apt-get install -y chromium)`;
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const RUN_TIMEOUT_MS = 60_000;

const tmp = mkdtempSync(join(tmpdir(), 'trainscope-browser-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** Run Chromium with a fresh profile; kill its process group on timeout and after exit (helpers it left behind). */
function chromium(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const profile = mkdtempSync(join(tmp, 'profile-'));
  return new Promise((resolve, reject) => {
    const child = spawn(CHROMIUM, [...FLAGS, `--user-data-dir=${profile}`, ...args], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    const killGroup = (): void => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* already gone */
      }
    };
    const timer = setTimeout(() => {
      killGroup();
      reject(new Error(`chromium timed out after ${RUN_TIMEOUT_MS / 1000} s: ${args.join(' ')}`));
    }, RUN_TIMEOUT_MS);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      killGroup();
      resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
  });
}

async function screenshot(page: string, name: string): Promise<Uint8Array> {
  const file = join(tmp, `${name}.png`);
  const r = await chromium([`--screenshot=${file}`, '--window-size=1200,1600', pathToFileURL(page).href]);
  assert.ok(existsSync(file), `no screenshot of ${page} (exit ${r.code}): ${r.stderr.slice(-500)}`);
  return readFileSync(file);
}

async function dumpDom(page: string): Promise<string> {
  const r = await chromium(['--dump-dom', pathToFileURL(page).href]);
  assert.ok(r.stdout.includes('<html'), `no DOM from ${page} (exit ${r.code}): ${r.stderr.slice(-500)}`);
  return r.stdout;
}

describe('reports in headless Chromium', () => {
  const out = join(tmp, 'out');
  const reportPage = join(out, 'baselines', 'test-exp', 'report.html');
  const indexPage = join(out, 'index.html');

  before(async () => {
    if (skip) return;
    const spec = reportSpec();
    await writeReport(join(out, 'baselines', 'test-exp'), spec, reportMeta());
    writeIndex(out, [
      {
        id: 'baselines/test-exp',
        title: spec.title,
        paper: 'Doe (2024)',
        reportHref: 'baselines/test-exp/report.html',
        status: 'complete',
        claims: spec.claims,
      },
    ]);
  });

  it('report.html renders its figures', { skip, timeout: 2 * RUN_TIMEOUT_MS + 10_000 }, async () => {
    const px = decodePng(await screenshot(reportPage, 'report'));
    assert.equal(px.width, 1200);
    assert.ok(inkFraction(px) > 0.02, `screenshot is nearly blank (${(100 * inkFraction(px)).toFixed(1)} % ink)`);
    // vega's first two category colours: the sgd and adam loss curves of the line chart.
    assert.ok(countColor(px, [0x4c, 0x78, 0xa8]) > 100, 'blue line (#4c78a8) visible');
    assert.ok(countColor(px, [0xf5, 0x85, 0x18]) > 100, 'orange line (#f58518) visible');

    const dom = await dumpDom(reportPage);
    assert.equal((dom.match(/<svg\b/g) ?? []).length, 2, 'both figures are inline SVGs in the DOM');
    const lineGroup = /<g class="mark-line role-mark[^"]*"[^>]*>([\s\S]*?)<\/g>/.exec(dom);
    assert.ok(lineGroup && /<path[^>]*\sd="M[^"]+L/.test(lineGroup[1]!), 'the line chart has drawn paths');
    const symbols = /<g class="mark-symbol role-mark[^"]*"[^>]*>([\s\S]*?)<\/g>/.exec(dom);
    assert.equal((symbols?.[1]?.match(/<path/g) ?? []).length, 5, 'the log chart has one symbol per point');
    assert.ok(!/<script/i.test(dom), 'the title did not inject a script');
  });

  it('index.html renders and links the report', { skip, timeout: 2 * RUN_TIMEOUT_MS + 10_000 }, async () => {
    const px = decodePng(await screenshot(indexPage, 'index'));
    assert.ok(inkFraction(px) > 0.01, 'index screenshot is not blank');
    assert.ok(countColor(px, [0xda, 0xfb, 0xe1], 4) > 100, 'PASS badge visible');
    assert.ok(countColor(px, [0xff, 0xeb, 0xe9], 4) > 100, 'FAIL badge visible');
    const dom = await dumpDom(indexPage);
    assert.match(dom, /<a href="baselines\/test-exp\/report\.html">/);
    assert.match(dom, /<table class="claims">/);
  });
});
