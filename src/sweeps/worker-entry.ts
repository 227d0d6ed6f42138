/**
 * Where a worker thread's code lives. Kept to one function because the package may run from
 * src/ (TypeScript through tsx) or from a compiled dist/ (plain .js): compiled, the entry is
 * `<stem>.js` beside this file; from source, it is `<stem>.boot.mjs`, a plain-JS file that
 * registers tsx inside the thread and then imports `<stem>.ts`.
 */
export interface WorkerEntry {
  filename: string;
  execArgv: string[];
}

/** execArgv without tsx's own loader flags (the boot file registers tsx itself). */
function withoutTsx(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if ((a === '--import' || a === '--require' || a === '--loader' || a === '-r') && argv[i + 1]?.includes('tsx')) i++;
    else if (!/^--(import|require|loader)=.*tsx/.test(a)) out.push(a);
  }
  return out;
}

export function workerEntry(stem: string): WorkerEntry {
  const ts = import.meta.url.endsWith('.ts');
  const filename = new URL(`./${stem}${ts ? '.boot.mjs' : '.js'}`, import.meta.url).href;
  return { filename, execArgv: ts ? withoutTsx(process.execArgv) : [...process.execArgv] };
}
