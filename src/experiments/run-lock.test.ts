import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquireRunLock, LOCK_FILE, lockState, RunLockedError } from './run-lock.ts';
import { NODE_FLAGS } from '../../test/support/node-flags.ts';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'trainscope-lock-'));
const deadPid = (): number => {
  const r = spawnSync(process.execPath, [...NODE_FLAGS, '-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
};

test('the lock holds pid, host and start time, is re-entrant in one process and goes with the last release', () => {
  const dir = join(tmp(), 'run');
  const a = acquireRunLock(dir);
  const info = JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8'));
  assert.equal(info.pid, process.pid);
  assert.equal(info.host, hostname());
  assert.ok(!Number.isNaN(Date.parse(info.startedAt)));
  const b = acquireRunLock(dir);
  a.release();
  a.release(); // twice is once
  assert.ok(existsSync(join(dir, LOCK_FILE)), 'still held by b');
  b.release();
  assert.ok(!existsSync(join(dir, LOCK_FILE)));
});

test('a lock of a live process is an error naming it; one of a dead process is reported and taken over', () => {
  const dir = tmp();
  // The parent of this test process is alive and is not us.
  writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: process.ppid, host: hostname(), startedAt: '2026-01-01T00:00:00.000Z' }));
  assert.equal(lockState(dir).state, 'alive');
  assert.throws(
    () => acquireRunLock(dir),
    (e: Error) => e instanceof RunLockedError && new RegExp(`is being run by process ${process.ppid}; follow it with trainscope watch`).test(e.message),
  );
  const pid = deadPid();
  writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid, host: hostname(), startedAt: '2026-01-01T00:00:00.000Z' }));
  assert.equal(lockState(dir).state, 'gone');
  const lines: string[] = [];
  const lock = acquireRunLock(dir, (l) => lines.push(l));
  assert.equal(lines.length, 1);
  assert.match(lines[0]!, new RegExp(`locked by process ${pid} .*which is gone; took the lock over`));
  assert.equal(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')).pid, process.pid);
  lock.release();
});

test("another host's lock cannot be checked: it is treated as live and the error says how to clear it", () => {
  const dir = tmp();
  writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: 1, host: `not-${hostname()}`, startedAt: 'x' }));
  assert.throws(() => acquireRunLock(dir), /on host not-.*; delete the lock if that process is gone/);
});

test("a contender killed while making its lock file leaves .lock.<pid>.new: the next holder clears it (a live one's stays)", () => {
  const dir = tmp();
  const dead = join(dir, `${LOCK_FILE}.${deadPid()}.new`);
  const live = join(dir, `${LOCK_FILE}.${process.ppid}.new`);
  writeFileSync(dead, '{}');
  writeFileSync(live, '{}');
  const lock = acquireRunLock(dir);
  assert.ok(!existsSync(dead));
  assert.ok(existsSync(live));
  lock.release();
});
