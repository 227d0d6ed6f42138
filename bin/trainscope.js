#!/usr/bin/env node
// The CLI runs the compiled dist/ (built by `npm run build`, which `prepare` runs on `npm ci` and
// `npm pack`). Started under tsx (`node --import tsx bin/trainscope.js`, as the tests do) it runs
// src/ instead, so tests never exercise a stale build.
// The loader may be named 'tsx' or by a resolved path/URL (tests that run in a temp folder).
const underTsx = process.execArgv.some((a, i) => (process.execArgv[i - 1] === '--import' && /tsx/.test(a)) || /^--import=.*tsx/.test(a));
const { main } = await import(underTsx ? '../src/cli/main.ts' : '../dist/cli/main.js');
process.exitCode = await main(process.argv.slice(2));
