#!/usr/bin/env node
// The CLI runs the compiled dist/ (built by `npm run build`, which `prepare` runs on `npm ci` and
// `npm pack`). Started under tsx (`node --import tsx bin/trainscope.js`, as the tests do) it runs
// src/ instead, so tests never exercise a stale build.
const underTsx = process.execArgv.some((a, i) => a === 'tsx' && process.execArgv[i - 1] === '--import') || process.execArgv.includes('--import=tsx');
const { main } = await import(underTsx ? '../src/cli/main.ts' : '../dist/cli/main.js');
process.exitCode = await main(process.argv.slice(2));
