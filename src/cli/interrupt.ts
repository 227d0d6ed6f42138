/**
 * Stopping a run cleanly: Ctrl-C (SIGINT), SIGTERM (kill, systemd, docker stop) and SIGHUP (the
 * terminal closed) all abort it at the next step boundary, so the folder is marked incomplete
 * and its lock released instead of being left 'running'. A second signal exits at once.
 */
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
/** Conventional exit codes: 128 + the signal number. */
const EXIT_CODE: Record<(typeof SIGNALS)[number], number> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };

export function interruptSignal(): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const handlers = SIGNALS.map((name) => {
    const on = (): void => {
      if (controller.signal.aborted) process.exit(EXIT_CODE[name]);
      process.stderr.write(
        `\n${name === 'SIGINT' ? 'interrupt' : name}: stopping at the next step boundary (${name === 'SIGINT' ? 'Ctrl-C' : 'the signal'} again to quit now)\n`,
      );
      controller.abort();
    };
    process.on(name, on);
    return [name, on] as const;
  });
  return {
    signal: controller.signal,
    dispose: () => {
      for (const [name, on] of handlers) process.off(name, on);
    },
  };
}
