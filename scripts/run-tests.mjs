#!/usr/bin/env node
// `npm test`: every *.test.ts at any depth under src/ and test/, run by node's built-in test runner
// (Node 20's --test takes no globs, so the files are found here). Arguments naming *.test.ts files
// (relative to the repository root) run just those; other arguments are passed on to node.
//
// A test file that never finishes must not hang the whole run (CI has a hard time cap and shows
// only the tail of its log). So:
// - every file gets --test-timeout (TRAINSCOPE_TEST_FILE_TIMEOUT_S, default 600 s; the whole suite
//   takes about 5 min): node's runner then cancels the file and goes on;
// - after TRAINSCOPE_TEST_STALL_S (default 240 s) without output, the processes still running are
//   described (state, what each thread waits in, a gdb backtrace when gdb is installed), once per
//   silence, so a hang names its cause in the log;
// - a file cancelled for time is run once more on its own. A run whose only problem was such a
//   file, and whose second try passes, passes with a warning naming the file; anything else fails.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { constants } from 'node:os';
import { basename, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(new URL('.', import.meta.url)), '..');
const seconds = (name, fallback) => {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : fallback;
};
const FILE_TIMEOUT_S = seconds('TRAINSCOPE_TEST_FILE_TIMEOUT_S', 600);
const STALL_S = seconds('TRAINSCOPE_TEST_STALL_S', 240);

const found = [];
const walk = (dir) => {
  for (const name of readdirSync(dir).sort()) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (name.endsWith('.test.ts')) found.push(relative(root, p));
  }
};
// Arguments naming *.test.ts files choose those files (in that order); the others go to node.
const named = process.argv.slice(2).filter((a) => a.endsWith('.test.ts'));
const extra = process.argv.slice(2).filter((a) => !a.endsWith('.test.ts'));
for (const f of named) {
  if (!existsSync(join(root, f))) {
    console.error(`run-tests: no such test file: ${f}`);
    process.exit(1);
  }
}
if (named.length > 0) found.push(...named);
else for (const top of ['src', 'test']) walk(join(root, top));
if (found.length === 0) {
  console.error('run-tests: no *.test.ts files under src/ or test/');
  process.exit(1);
}

const read = (path) => {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return '?';
  }
};

/** A /proc stat line's fields after the command name: [state, ppid, pgrp, …]; [] once it is gone. */
const statFields = (path) => {
  const stat = read(path);
  return stat === '?' ? [] : stat.slice(stat.lastIndexOf(')') + 2).split(' ');
};

/** Every live process with its state, parent and process group (Linux; elsewhere none). */
function processes() {
  if (!existsSync('/proc/self/stat')) return [];
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map((name) => {
      const [state, ppid, pgrp] = statFields(`/proc/${name}/stat`);
      return { pid: Number(name), state, ppid: Number(ppid), pgrp: Number(pgrp) };
    })
    .filter((p) => p.state !== undefined);
}

/** Every live descendant of pid, parents first. */
function descendants(pid) {
  const all = processes();
  const out = [];
  const visit = (parent) => {
    for (const p of all) {
      if (p.ppid !== parent) continue;
      out.push(p.pid);
      visit(p.pid);
    }
  };
  visit(pid);
  return out;
}

/** The live processes of process group pgid (a zombie is already gone for our purposes). */
const groupMembers = (pgid) =>
  processes()
    .filter((p) => p.pgrp === pgid && p.state !== 'Z')
    .map((p) => p.pid);

function killGroup(pgid, sig) {
  try {
    process.kill(-pgid, sig);
  } catch {
    // the group is already empty
  }
}

/** What each process under the runner is doing: its command, and per thread its state and wait channel. */
function describeStuck(runnerPid) {
  const lines = [`run-tests: no test output for ${STALL_S} s; the processes still running under the test runner:`];
  for (const pid of descendants(runnerPid)) {
    const state = statFields(`/proc/${pid}/stat`)[0] ?? '?';
    const cmd = read(`/proc/${pid}/cmdline`).replaceAll('\0', ' ').slice(0, 300);
    let cwd = '?';
    try {
      cwd = readlinkSync(`/proc/${pid}/cwd`);
    } catch {}
    lines.push(`  pid ${pid} state ${state} cwd ${cwd}: ${cmd}`);
    let tasks = [];
    try {
      tasks = readdirSync(`/proc/${pid}/task`);
    } catch {}
    const byWait = new Map();
    for (const tid of tasks) {
      const key = `${read(`/proc/${pid}/task/${tid}/comm`)} ${statFields(`/proc/${pid}/task/${tid}/stat`)[0] ?? '?'} in ${read(`/proc/${pid}/task/${tid}/wchan`)}`;
      byWait.set(key, (byWait.get(key) ?? 0) + 1);
    }
    lines.push(`    threads: ${[...byWait].map(([k, n]) => (n > 1 ? `${n}× ${k}` : k)).join('; ')}`);
  }
  return lines.join('\n');
}

/** gdb's backtrace of every thread of the node processes under the runner (at most 3), when gdb is here. */
function backtraces(runnerPid) {
  // The node processes below the runner: test files and what they forked (not tsx's esbuild).
  const leaves = descendants(runnerPid)
    .filter((p) => basename(read(`/proc/${p}/cmdline`).split('\0')[0] ?? '') === basename(process.execPath))
    .slice(0, 3);
  const out = [];
  for (const pid of leaves) {
    try {
      const bt = execFileSync('gdb', ['-batch', '-nx', '-p', String(pid), '-ex', 'thread apply all bt 10'], {
        encoding: 'utf8',
        timeout: 60_000,
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      const frames = bt.split('\n').filter((l) => /^(Thread |#\d)/.test(l));
      out.push(`run-tests: gdb backtrace of pid ${pid}:`, ...frames.slice(0, 120).map((l) => `  ${l.slice(0, 200)}`));
    } catch {
      // no gdb, or not allowed to attach: the /proc view above has to do
    }
  }
  return out.join('\n');
}

/**
 * Reads node's TAP output a line at a time. It keeps every column-0 `not ok` (failed tests, failed
 * suites and cancelled tests alike: the runner's `# fail` count leaves out the last two) and the
 * files the runner cancelled for running past the timeout (`not ok N - /abs/path/x.test.ts` with
 * failureType 'testTimeoutFailure' in its two-space indented YAML block). `line` answers true
 * once the summary is complete: `# tests N` … `# todo N`, then `# duration_ms T` (a test's own
 * output is also printed as `# …`, so only that sequence counts).
 */
function tapScanner() {
  const topNotOk = [];
  const timedOut = new Set();
  let counts;
  let notOkFile;
  return {
    timedOut,
    counts: () => counts,
    /** Whether the only failures were files cancelled for time. */
    clean: () => topNotOk.every((name) => timedOut.has(name)),
    line(line) {
      const top = /^not ok \d+ - (.*)$/.exec(line);
      if (top) {
        topNotOk.push(top[1]);
        notOkFile = /^\/.*\.test\.ts$/.test(top[1]) ? top[1] : undefined;
      } else if (/^ok \d+ /.test(line) || line === '  ...') notOkFile = undefined;
      else if (notOkFile && line === "  failureType: 'testTimeoutFailure'") timedOut.add(notOkFile);
      const count = /^# (tests|suites|pass|fail|cancelled|skipped|todo|duration_ms) ([\d.]+)$/.exec(line);
      if (count?.[1] === 'tests') counts = {};
      if (count && counts) counts[count[1]] = Number(count[2]);
      return count?.[1] === 'duration_ms' && counts !== undefined && 'todo' in counts;
    },
  };
}

/**
 * One `node --test` over files, its output passed through. Resolves with its exit code, the files
 * it cancelled for running past the timeout, whether those were its only failures (clean), and
 * the signal that interrupted it, if any.
 */
function runNodeTest(files) {
  return new Promise((resolve) => {
    // --no-concurrent-recompilation: Node 20 can deadlock as a process ends (nodejs/node#54918: the
    // main thread drains platform tasks while a background TurboFan job waits on it for a GC);
    // test/support/node-flags.ts says more. The runner hands its flags on to every test file.
    const args = ['--no-concurrent-recompilation', '--import', 'tsx', '--test', `--test-timeout=${FILE_TIMEOUT_S * 1000}`, ...extra, ...files];
    // Its own process group, so that whatever a test leaves behind can be found and stopped after.
    const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], detached: true });
    // A signal goes on to the whole group; a second one (a runner stuck in the very deadlock above
    // cannot act on the first) stops the group at once.
    let interrupted;
    const forward = (sig) => {
      if (interrupted) {
        killGroup(child.pid, 'SIGKILL');
        process.exit(128 + (constants.signals[sig] ?? 2));
      }
      interrupted = sig;
      killGroup(child.pid, sig);
    };
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, forward);
    const tap = tapScanner();
    let lastOutput = Date.now();
    let reported = false;
    let pending = '';
    // When the runner printed its summary; after it the runner should exit at once.
    let summaryAt;
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      lastOutput = Date.now();
      reported = false;
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop();
      for (const line of lines) if (tap.line(line)) summaryAt = Date.now();
    });
    const watch = setInterval(() => {
      if (reported || summaryAt !== undefined || Date.now() - lastOutput < STALL_S * 1000) return;
      reported = true;
      const text = [describeStuck(child.pid), backtraces(child.pid)].filter(Boolean).join('\n');
      process.stdout.write(`\n${text}\n`);
    }, 5_000);
    // The runner does not exit while a file process it gave up on (one that ignores SIGTERM, or is
    // stuck in a native call) is still alive.
    const stuckAfterSummary = setInterval(() => {
      if (summaryAt === undefined || Date.now() - summaryAt < 30_000) return;
      clearInterval(stuckAfterSummary);
      console.log('run-tests: the test runner printed its summary 30 s ago but has not exited; stopping it');
      const counts = tap.counts();
      finish(tap.clean() && tap.timedOut.size === 0 && counts?.fail === 0 && counts?.cancelled === 0 ? 0 : 1);
    }, 1_000);
    let finished = false;
    const finish = (code) => {
      if (finished) return;
      finished = true;
      clearInterval(watch);
      clearInterval(stuckAfterSummary);
      for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.off(sig, forward);
      const left = groupMembers(child.pid).filter((p) => p !== child.pid);
      if (left.length > 0) {
        console.log(`run-tests: WARNING: ${left.length} process(es) outlived the test run; stopping them:`);
        for (const pid of left) console.log(`  pid ${pid}: ${read(`/proc/${pid}/cmdline`).replaceAll('\0', ' ').slice(0, 300)}`);
      }
      killGroup(child.pid, 'SIGKILL');
      resolve({ code, timedOut: [...tap.timedOut], clean: tap.clean(), interrupted });
    };
    child.on('exit', (code, signal) => {
      const done = () => finish(code ?? (signal ? 1 : 0));
      // Let the last output drain, but not wait on a pipe a straggler still holds.
      if (child.stdout.readableEnded) done();
      else {
        const t = setTimeout(done, 5_000);
        child.stdout.once('end', () => {
          clearTimeout(t);
          done();
        });
      }
    });
  });
}

const first = await runNodeTest(found);
if (first.interrupted) process.exit(128 + (constants.signals[first.interrupted] ?? 2));
if (first.timedOut.length === 0) process.exit(first.code);

const names = first.timedOut.map((f) => relative(root, f));
if (!first.clean) {
  console.log(`run-tests: failed; besides the failures, ${names.join(', ')} ran past ${FILE_TIMEOUT_S} s and was cancelled`);
  process.exit(1);
}
console.log(`\nrun-tests: ${names.join(', ')} ran past ${FILE_TIMEOUT_S} s and was cancelled; running it once more on its own`);
const second = await runNodeTest(names);
if (second.interrupted) process.exit(128 + (constants.signals[second.interrupted] ?? 2));
if (second.code === 0 && second.timedOut.length === 0) {
  console.log(`run-tests: WARNING: passed, but only on a second try of ${names.join(', ')}: the first run never finished (see the process report above)`);
  process.exit(0);
}
console.log(`run-tests: failed: ${names.join(', ')} did not pass on its second try either`);
process.exit(1);
