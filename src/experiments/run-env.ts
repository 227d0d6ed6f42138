/**
 * What a run's numbers depend on besides its config and seed: the code (git SHA, and whether the
 * tree had uncommitted changes, with a hash of them), the kernel backend and the Node version.
 * Recorded in the manifest at creation; a resume compares them, since any of them changes the
 * last bits of the metrics (see README: byte-identical per backend).
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { kernels } from '../kernels/backend.ts';

export interface RunEnv {
  gitSha: string;
  /** Uncommitted changes to tracked files when the run started (absent: not a git checkout). */
  gitDirty?: boolean;
  /** sha256 (12 hex) of `git diff HEAD` when dirty, so two different dirty trees differ. */
  gitDiff?: string;
  backend: string;
  node: string;
}

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const VERSION_ONLY = 'unknown';

/** Whether this package is its own git checkout: installed under node_modules, git would find the user's repository instead. */
let ownCheckout: boolean | undefined;
function isOwnCheckout(): boolean {
  if (ownCheckout === undefined) {
    const top = git(['rev-parse', '--show-toplevel'])?.trim();
    try {
      ownCheckout = top !== undefined && realpathSync(top) === realpathSync(REPO);
    } catch {
      ownCheckout = false;
    }
  }
  return ownCheckout;
}

function git(args: string[]): string | undefined {
  try {
    return execFileSync('git', args, { stdio: ['ignore', 'pipe', 'ignore'], cwd: REPO, maxBuffer: 256 * 1024 * 1024 }).toString();
  } catch {
    return undefined;
  }
}

type CodeIdentity = Pick<RunEnv, 'gitSha' | 'gitDirty' | 'gitDiff'>;

/**
 * Read once per process: the code a process runs is the code it loaded at start, whatever
 * happens on disk later, and a worker running many sweep cells would otherwise spawn git three
 * times per cell (≈ 50 ms each).
 */
let codeIdentity: CodeIdentity | undefined;
function readCodeIdentity(): CodeIdentity {
  if (codeIdentity) return codeIdentity;
  const sha = isOwnCheckout() ? git(['rev-parse', 'HEAD'])?.trim() : undefined;
  const id: CodeIdentity = { gitSha: sha || VERSION_ONLY };
  if (sha) {
    const status = git(['status', '--porcelain', '--untracked-files=no']);
    if (status !== undefined) {
      id.gitDirty = status.trim() !== '';
      if (id.gitDirty)
        id.gitDiff = createHash('sha256')
          .update(git(['diff', 'HEAD']) ?? '')
          .digest('hex')
          .slice(0, 12);
    }
  }
  return (codeIdentity = id);
}

export function currentEnv(): RunEnv {
  const backend = kernels().name; // first: an unknown TRAINSCOPE_BACKEND fails before git runs
  return { ...readCodeIdentity(), backend, node: process.version };
}

/**
 * How `now` differs from what a run was started with, one phrase per difference (empty: same).
 * Fields the stored manifest lacks (older folders) are not compared.
 */
export function envMismatches(stored: Partial<RunEnv>, now: RunEnv): string[] {
  const out: string[] = [];
  if (stored.gitSha !== undefined && stored.gitSha !== now.gitSha) out.push(`git SHA ${stored.gitSha.slice(0, 12)} → ${now.gitSha.slice(0, 12)}`);
  else if (stored.gitDirty !== undefined && (stored.gitDirty !== now.gitDirty || stored.gitDiff !== now.gitDiff)) {
    out.push(
      stored.gitDirty && now.gitDirty
        ? 'uncommitted changes differ'
        : now.gitDirty
          ? 'the tree now has uncommitted changes'
          : 'the uncommitted changes are gone',
    );
  }
  if (stored.backend !== undefined && stored.backend !== now.backend) out.push(`backend ${stored.backend} → ${now.backend}`);
  if (stored.node !== undefined && stored.node !== now.node) out.push(`Node ${stored.node} → ${now.node}`);
  return out;
}
