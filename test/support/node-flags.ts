/**
 * Flags for every node process a test starts (and scripts/run-tests.mjs for the test files
 * themselves). Node 20 can deadlock as a process ends: the main thread waits in
 * NodePlatform::DrainTasks for background tasks while a concurrent TurboFan job waits for the main
 * thread to collect garbage (nodejs/node#54918; here about 1 in 20 runs of
 * src/kernels/fast-math.test.ts never exited). Without concurrent recompilation there is no such
 * job: TurboFan compiles on the main thread instead.
 */
export const NODE_FLAGS = ['--no-concurrent-recompilation'] as const;
