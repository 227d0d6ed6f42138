import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { injectWriteFault, removeTempFiles, writeFileAtomic } from './atomic-write.ts';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'trainscope-atomic-'));

test('writes every byte, creates the folder, leaves no temp file', () => {
  const path = join(tmp(), 'a', 'b.bin');
  const big = new Uint8Array(3 << 20).map((_, i) => i % 251);
  writeFileAtomic(path, big);
  assert.deepEqual(new Uint8Array(readFileSync(path)), big);
  writeFileAtomic(path, 'héllo');
  assert.equal(readFileSync(path, 'utf8'), 'héllo');
  assert.deepEqual(readdirSync(join(path, '..')), ['b.bin']);
});

for (const kind of ['short', 'enospc'] as const) {
  test(`a write that stops half-way (${kind}) leaves the previous file intact, names the file and says what to do`, () => {
    const dir = tmp();
    const path = join(dir, 'checkpoint.json');
    writeFileAtomic(path, 'old contents');
    injectWriteFault({ match: 'checkpoint.json', afterBytes: 1000, kind });
    try {
      assert.throws(
        () => writeFileAtomic(path, 'x'.repeat(5000), { keepPrevious: true }),
        (e: Error) =>
          e.message.startsWith(`cannot write ${path} (ENOSPC)`) &&
          /the disk is full: free space, then run again; the previous checkpoint.json is intact$/.test(e.message),
      );
      // Small enough to fit before the fault: goes through.
      writeFileAtomic(join(dir, 'other.json'), 'y'.repeat(5000));
    } finally {
      injectWriteFault(undefined);
    }
    assert.equal(readFileSync(path, 'utf8'), 'old contents');
    assert.deepEqual(readdirSync(dir).sort(), ['checkpoint.json', 'other.json'], 'no temp file and no .prev from the failed write');
  });
}

test('the fault seam counts skipped writes; a first write that fails says nothing was written', () => {
  const dir = tmp();
  injectWriteFault({ match: 'c.json', afterBytes: 2, kind: 'enospc', skip: 1 });
  try {
    writeFileAtomic(join(dir, 'c.json'), 'first');
    assert.throws(() => writeFileAtomic(join(dir, 'c.json'), 'second'), /previous c\.json is intact/);
    assert.throws(() => writeFileAtomic(join(dir, 'new-c.json'), 'third'), /nothing was written$/);
  } finally {
    injectWriteFault(undefined);
  }
  assert.equal(readFileSync(join(dir, 'c.json'), 'utf8'), 'first');
});

test('keepPrevious keeps the replaced version as .prev', () => {
  const path = join(tmp(), 'cp.json');
  writeFileAtomic(path, 'one', { keepPrevious: true });
  assert.ok(!existsSync(`${path}.prev`), 'nothing to keep the first time');
  writeFileAtomic(path, 'two', { keepPrevious: true });
  writeFileAtomic(path, 'three', { keepPrevious: true });
  assert.equal(readFileSync(path, 'utf8'), 'three');
  assert.equal(readFileSync(`${path}.prev`, 'utf8'), 'two');
});

test('removeTempFiles removes *.tmp-<pid> files at any depth and nothing else', () => {
  const dir = tmp();
  mkdirSync(join(dir, 'stages'));
  for (const f of ['manifest.json.tmp-123', 'stages/a.json.tmp-9', 'stages/a.json', 'notes.tmp', 'x.tmp-abc']) writeFileSync(join(dir, f), '');
  assert.deepEqual(
    removeTempFiles(dir)
      .map((p) => p.slice(dir.length + 1))
      .sort(),
    ['manifest.json.tmp-123', 'stages/a.json.tmp-9'],
  );
  assert.deepEqual(readdirSync(dir).sort(), ['notes.tmp', 'stages', 'x.tmp-abc']);
});
