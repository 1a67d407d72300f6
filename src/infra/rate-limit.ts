import type * as RateLimiterLibrary from 'rate-limiter-flexible';

type RateLimiterModule = typeof RateLimiterLibrary;

/** Counts requests per key in fixed one-minute windows. */
export interface RateLimiter {
  /** Takes one request from `key`'s allowance of `perMinute`; says how long to wait when none is left. */
  consume(key: string, perMinute: number): Promise<{ allowed: true } | { allowed: false; retryAfterSeconds: number }>;
  close(): Promise<void>;
}

/**
 * Memory on the embedded profile; Redis on the cluster profile, so the allowance is shared by
 * every API instance. A Redis outage fails open to a per-instance memory limiter rather than
 * locking every partner out.
 */
export async function createRateLimiter(redisUrl: string | undefined): Promise<RateLimiter> {
  // ioredis only where Redis is used: start-up time and memory on the embedded profile.
  const redis = redisUrl ? new (await import('ioredis')).Redis(redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false }) : undefined;
  const limiters = new Map<number, RateLimiterLibrary.RateLimiterAbstract>();
  // The library (~35 modules) loads with the first partner request, not with the server: cold start.
  let library: Promise<RateLimiterModule> | undefined;
  const limiterFor = (points: number, { RateLimiterMemory, RateLimiterRedis }: RateLimiterModule) => {
    let limiter = limiters.get(points);
    if (!limiter) {
      const memory = new RateLimiterMemory({ points, duration: 60, keyPrefix: `rl${points}` });
      limiter = redis ? new RateLimiterRedis({ storeClient: redis, points, duration: 60, keyPrefix: `provisio:rl${points}`, insuranceLimiter: memory }) : memory;
      limiters.set(points, limiter);
    }
    return limiter;
  };
  return {
    async consume(key, perMinute) {
      const loaded = await (library ??= import('rate-limiter-flexible'));
      try {
        await limiterFor(perMinute, loaded).consume(key);
        return { allowed: true };
      } catch (rejection) {
        if (rejection instanceof loaded.RateLimiterRes) return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)) };
        throw rejection;
      }
    },
    async close() {
      await redis?.quit().catch(() => {});
    },
  };
}
