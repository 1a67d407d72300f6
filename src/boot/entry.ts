import { ConfigError, loadConfig, type Config } from '../config.ts';
import { DataDirLockedError } from '../infra/db/lock.ts';
import type { Logger } from '../logger.ts';

// What every entry (server, worker, command) does around its own work.

/**
 * The configuration from the environment, or exit 2 naming each bad variable. `check` adds an
 * entry's own rule (a worker needs the cluster profile) and throws a ConfigError the same way.
 */
export function configOrExit(check?: (config: Config) => void): Config {
  try {
    const config = loadConfig();
    check?.(config);
    return config;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(2);
  }
}

/**
 * Starts a long-running process and drains it on SIGTERM or SIGINT (a second signal exits at
 * once). The handlers go in before start(), so a signal during start-up still drains and closes
 * the database. A failed start exits 1 (3 when another process holds the data directory).
 */
export async function runUntilSignalled<T>(logger: Logger, service: { start(): Promise<T>; stop(): Promise<void> }): Promise<T> {
  const started = service.start();
  let signals = 0;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (++signals > 1) {
        logger.warn(`${signal} again: exiting without draining`);
        process.exit(130);
      }
      logger.info(`${signal} received: draining`);
      void started
        .catch(() => {})
        .then(() => service.stop())
        .then(
          () => process.exit(0),
          (error: unknown) => {
            logger.error({ err: error }, 'error during shutdown');
            process.exit(1);
          },
        );
    });
  }
  try {
    return await started;
  } catch (error) {
    if (error instanceof DataDirLockedError) {
      logger.fatal(error.message);
      process.exit(3);
    }
    logger.fatal({ err: error }, 'failed to start');
    await service.stop().catch(() => {});
    process.exit(1);
  }
}
