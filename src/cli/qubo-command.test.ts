/** `trainscope qubo solve` end to end through the binary, and its one-line errors. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NODE_FLAGS } from '../../test/support/node-flags.ts';

const BIN = fileURLToPath(new URL('../../bin/trainscope.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'trainscope-qubo-'));
const cli = (...args: string[]) => spawnSync(process.execPath, [...NODE_FLAGS, '--import', 'tsx', BIN, 'qubo', ...args], { encoding: 'utf8', timeout: 60_000 });
const file = (name: string, body: string): string => {
  const p = join(dir, name);
  writeFileSync(p, body);
  return p;
};

test('every solver finds the optimum of a small QUBO; --json carries energy, x, time and settings', () => {
  // min xᵀQx: x = (1,0,1) with energy −2 (the couplings punish neighbours).
  const f = file(
    'q.json',
    JSON.stringify({
      Q: [
        [-1, 1, 0],
        [1, -1, 1],
        [0, 1, -1],
      ],
    }),
  );
  for (const s of ['exact', 'sa', 'tabu', 'sb']) {
    const r = cli('solve', f, '--solver', s, '--seed', '4', '--json');
    assert.equal(r.status, 0, r.stderr);
    const o = JSON.parse(r.stdout) as { energy: number; x: number[]; timeMs: number; settings: object; symmetric: boolean; timedOut: boolean };
    assert.equal(o.energy, -2, s);
    assert.deepEqual(o.x, [1, 0, 1]);
    assert.equal(o.symmetric, true);
    assert.equal(o.timedOut, false);
    assert.ok(o.timeMs >= 0 && typeof o.settings === 'object');
  }
  // The upper-triangular form of the same problem gives the same answer.
  const up = JSON.parse(
    cli(
      'solve',
      file(
        'u.json',
        JSON.stringify({
          Q: [
            [-1, 2, 0],
            [0, -1, 2],
            [0, 0, -1],
          ],
        }),
      ),
      '--solver',
      'exact',
      '--json',
    ).stdout,
  );
  assert.equal(up.energy, -2);
  assert.equal(up.symmetric, false);
  assert.match(cli('solve', f, '--solver', 'exact').stdout, /^energy\s+-2\nx\s+101\n/);
});

test('a time limit that stops the solver gives a flagged partial result', () => {
  const n = 400;
  const Q = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => ((i * 7 + j * 13) % 11) - 5));
  const r = cli('solve', file('big.json', JSON.stringify({ Q })), '--solver', 'sa', '--reads', '100000', '--time-limit', '0.2', '--json');
  assert.equal(r.status, 0, r.stderr);
  const o = JSON.parse(r.stdout);
  assert.equal(o.timedOut, true);
  assert.equal(o.x.length, n);
});

test('bad input: one line on stderr, exit 2', () => {
  const cases: [string[], RegExp][] = [
    [['solve', file('ns.json', '{"Q": [[1, 2, 3], [4, 5, 6]]}')], /not square: row 0 has 3 entries, expected 2/],
    [['solve', file('nf.json', '{"Q": [[1, "x"], [0, 1]]}')], /Q\[0\]\[1\] is not a finite number/],
    [['solve', file('e.json', '{"Q": []}')], /empty \(n = 0\)/],
    [['solve', file('nq.json', '{"A": 1}')], /must hold an object \{ "Q"/],
    [['solve', file('nj.json', '{oops')], /is not JSON/],
    [['solve', join(dir, 'missing.json')], /cannot read .*ENOENT/],
    [['solve', file('ok.json', '{"Q": [[1]]}'), '--solver', 'qaoa'], /--solver must be one of exact, sa, tabu, sb/],
    [['solve', file('ok2.json', '{"Q": [[1]]}'), '--reads', '0'], /--reads must be an integer ≥ 1/],
    [['solve', file('ok3.json', '{"Q": [[1]]}'), '--time-limit=-1'], /--time-limit must be a positive number/],
    [['solve'], /expected a FILE\.json/],
    [['frobnicate'], /expected 'qubo solve FILE\.json'/],
    [['solve', file('ok4.json', '{"Q": [[1]]}'), '--bogus'], /unknown option --bogus/],
  ];
  for (const [args, re] of cases) {
    const r = cli(...args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0]!, re);
  }
});
