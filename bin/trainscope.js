#!/usr/bin/env node
// The CLI is TypeScript; tsx loads it in-process (no build step, no emitted JS to keep in sync).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
