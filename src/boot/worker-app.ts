import type { Config } from '../config.ts';
import { ConfigError } from '../config.ts';
import { Authenticator } from '../domain/access/api-keys.ts';
import type { Logger } from '../logger.ts';
import { listenForMetrics } from '../server/metrics-listener.ts';
import { isCluster, openServices, type Services } from './services.ts';

export interface Worker {
  start(): Promise<void>;
  /** Stops claiming runs, lets running ones finish up to the shutdown grace, interrupts the rest. */
  stop(): Promise<void>;
  readonly services: Services;
}

/** A worker runs on the cluster profile only. */
export function checkWorkerConfig(config: Config): void {
  if (!isCluster(config)) {
    throw new ConfigError('a worker runs on the cluster profile only: set DATABASE_URL (postgres://…) and REDIS_URL; on one process `npm start` executes runs itself');
  }
}

/** The worker process of the cluster profile: claims queued runs and executes their playbooks. */
export function buildWorker(config: Config, logger: Logger): Worker {
  checkWorkerConfig(config);
  let opened: Services | undefined;
  let metricsListener: { url: string; close(): Promise<void> } | undefined;
  let stopping: Promise<void> | undefined;
  return {
    get services() {
      if (!opened) throw new Error('the worker is not started');
      return opened;
    },
    async start() {
      const startedAt = performance.now();
      opened = await openServices(config, logger, 'worker');
      if (config.metricsPort !== undefined) {
        const authenticator = new Authenticator({ prisma: opened.database.prisma, logger, partnerRateLimitPerMinute: config.partnerRateLimitPerMinute });
        metricsListener = await listenForMetrics({ host: config.host, port: config.metricsPort, authenticator, metrics: opened.metrics });
      }
      logger.info({ concurrency: config.maxConcurrentRuns, metrics: metricsListener?.url, startupMs: Math.round(performance.now() - startedAt) }, 'Provisio worker running');
    },
    stop() {
      stopping ??= (async () => {
        logger.info('worker shutting down');
        await metricsListener?.close();
        await opened?.close(config.shutdownGraceMs);
        logger.info('worker stopped');
      })();
      return stopping;
    },
  };
}
