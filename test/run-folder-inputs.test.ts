/**
 * Bad inputs to `run` and `run --resume` through the CLI: each gets one clear line on stderr, a
 * non-zero exit, and writes nothing. Also the options that let a user go on anyway (--force,
 * --allow-mismatch), --keep-checkpoints, `report` on an interrupted folder and reproduce --strict.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { cli, listTree, manifestOf, readText, referenceMetrics, runArgs, tmp } from './fixtures/run-cli.ts';

const ARGS = runArgs(30);

function oneLineError(r: ReturnType<typeof cli>, ...parts: RegExp[]): void {
  assert.notEqual(r.status, 0, `must exit non-zero; stderr: ${r.stderr}`);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line on stderr, got:\n${r.stderr}`);
  for (const p of parts) assert.match(lines[0]!, p);
}

/** Every file and its bytes, to check that a refused command changed nothing. */
const snapshot = (dir: string): string => JSON.stringify(listTree(dir).map((f) => [f, f.endsWith('/') ? '' : readFileSync(join(dir, f)).toString('base64')]));

test('bad config and options: one line, non-zero exit, no folder written', () => {
  const cases: [string[], Record<string, string>, RegExp][] = [
    [['--set', 'sgdLr=1e309'], {}, /invalid config value for 'sgdLr': it must be a finite number/],
    [['--set', 'optimizers=["sgd","adam","sgd"]'], {}, /each optimizer may appear once \(sgd repeated\)/],
    [['--set', 'batchSize=700'], {}, /batchSize 700 is larger than trainSize 600/],
    [['--seed', ''], {}, /--seed must be a non-negative integer, got ''/],
    [[], { TRAINSCOPE_BACKEND: 'nativ' }, /TRAINSCOPE_BACKEND=nativ is not a kernel backend \(use js, wasm, native/],
  ];
  for (const [extra, env, message] of cases) {
    const out = join(tmp(), 'out');
    oneLineError(cli([...ARGS, ...extra, '--out', out], { env }), message);
    assert.ok(!existsSync(out), `${extra.join(' ')}: nothing written`);
  }
  const cwd = tmp();
  oneLineError(cli([...ARGS, '--out', ''], { cwd }), /--out must name a folder, got ''/);
  assert.deepEqual(listTree(cwd), []);
});

test('--out onto a folder that is not a run is refused (also ".") unless --force; leftovers of a run without a manifest always', () => {
  const cwd = tmp();
  writeFileSync(join(cwd, 'notes.txt'), 'mine');
  const before = snapshot(cwd);
  oneLineError(cli([...ARGS, '--out', '.'], { cwd }), /output directory \S+ is not empty and holds no run \(1 entry: notes\.txt\); .*pass --force/);
  assert.equal(snapshot(cwd), before);
  const stale = tmp();
  mkdirSync(join(stale, 'stages'));
  writeFileSync(join(stale, 'stages', 'sgd.json'), '{}');
  const staleBefore = snapshot(stale);
  for (const force of [[], ['--force']]) {
    oneLineError(cli([...ARGS, ...force, '--out', stale]), /holds stages of an earlier run but no manifest\.json.*refusing to reuse them/);
    assert.equal(snapshot(stale), staleBefore);
  }
  const r = cli([...ARGS, '--force', '--keep-checkpoints', '--out', '.'], { cwd });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(readText(join(cwd, 'notes.txt')), 'mine');
  assert.equal(readText(join(cwd, 'metrics.jsonl')), referenceMetrics(ARGS));
  assert.ok(existsSync(join(cwd, 'checkpoints', 'adam.json.prev')), '--keep-checkpoints keeps the previous checkpoints');
  oneLineError(cli([...ARGS, '--out', cwd]), /already holds a run \(manifest\.json exists\)/);
});

/** A copy of a complete run folder, marked as if interrupted after its first stage. */
function interrupted(template: string): string {
  const dir = join(tmp(), 'cut');
  cpSync(template, dir, { recursive: true });
  rmSync(join(dir, 'stages', 'adam.json'));
  const m = manifestOf(dir);
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ ...m, status: 'running', finishedAt: undefined }, null, 2));
  return dir;
}

test("resume refuses what it cannot trust, writing nothing: links, edited config, another run's stage, a changed setup, a live lock", () => {
  const template = join(tmp(), 'complete');
  assert.equal(cli([...ARGS, '--out', template]).status, 0);
  const refused = (dir: string, ...message: RegExp[]): void => {
    const before = snapshot(dir);
    oneLineError(cli(['run', '--resume', dir]), ...message);
    assert.equal(snapshot(dir), before, 'nothing written');
  };

  let dir = interrupted(template);
  writeFileSync(join(dir, 'elsewhere.json'), readText(join(dir, 'stages', 'sgd.json')));
  rmSync(join(dir, 'stages', 'sgd.json'));
  symlinkSync(join(dir, 'elsewhere.json'), join(dir, 'stages', 'sgd.json'));
  refused(dir, /contains a symbolic link \(stages\/sgd\.json\); refusing to resume/);

  dir = interrupted(template);
  writeFileSync(join(dir, 'config.json'), readText(join(dir, 'config.json')).replace('"steps": 30', '"steps": 31'));
  refused(dir, /config\.json does not match the manifest's config hash/);

  dir = interrupted(template);
  const stage = JSON.parse(readText(join(dir, 'stages', 'sgd.json')));
  writeFileSync(join(dir, 'stages', 'sgd.json'), JSON.stringify({ ...stage, seed: 7 }));
  refused(dir, /stage file \S+sgd\.json belongs to another run \(config hash "\w+", seed 7; this run \w+, seed 0\)/);

  dir = interrupted(template);
  const m = manifestOf(dir);
  const otherBackend = m['backend'] === 'js' ? 'wasm' : 'js';
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ ...m, gitSha: 'deadbeefdeadbeef', backend: otherBackend, node: 'v0.0.1' }, null, 2));
  refused(
    dir,
    new RegExp(
      `refusing to resume: git SHA deadbeefdead → \\S+, backend ${otherBackend} → ${m['backend']}, Node v0\\.0\\.1 → ${process.version}.*pass --allow-mismatch`,
    ),
  );
  const r = cli(['run', '--resume', dir, '--allow-mismatch']);
  assert.equal(r.status, 0, r.stderr);
  const resumes = manifestOf(dir)['resumes'] as { mismatches?: string[]; backend: string }[];
  assert.equal(resumes.length, 1);
  assert.equal(resumes[0]!.mismatches?.length, 3);
  assert.equal(resumes[0]!.backend, m['backend']);
  assert.equal(readText(join(dir, 'metrics.jsonl')), readText(join(template, 'metrics.jsonl')));

  dir = interrupted(template);
  // This test's parent process is alive and is not the CLI: a live holder.
  writeFileSync(join(dir, '.lock'), JSON.stringify({ pid: process.ppid, host: hostname(), startedAt: '2026-11-30T00:00:00.000Z' }));
  refused(dir, new RegExp(`is being run by process ${process.ppid}; follow it with trainscope watch`));
  // Its owner gone (no lock) while the manifest says running: report shows it as interrupted.
  rmSync(join(dir, '.lock'));
  oneLineError(cli(['report', dir]), /is interrupted; finish it with trainscope run --resume first/);
});

test('reproduce --strict exits 1 when a claim fails (plain reproduce still exits 0)', () => {
  const out = tmp();
  // A complete run of the same config and seed is reused by reproduce: make one of its claims fail.
  const dir = join(out, 'baselines', 'mnist-mlp');
  assert.equal(cli(['run', 'baselines/mnist-mlp', '--preset', 'smoke', '--out', dir]).status, 0);
  const summary = JSON.parse(readText(join(dir, 'summary.json')));
  summary.claims[1] = { ...summary.claims[1], pass: false };
  writeFileSync(join(dir, 'summary.json'), JSON.stringify(summary));
  assert.equal(cli(['reproduce', '--preset', 'smoke', '--out', out]).status, 0);
  const strict = cli(['reproduce', '--preset', 'smoke', '--out', out, '--strict']);
  assert.equal(strict.status, 1);
  assert.match(strict.stderr, new RegExp(`reproduce --strict: \\d+ claims? failed: .*baselines/mnist-mlp:${summary.claims[1].id}`));
});
