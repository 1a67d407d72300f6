import path from 'node:path';
import { z } from 'zod';
import { MIN_KEY_LENGTH } from './domain/access/api-keys.ts';
import { MAX_RUN_TIMEOUT_SECONDS } from './domain/limits.ts';
import { allowedHostProblem } from './domain/webhooks/url-policy.ts';
import { checkKeyText } from './infra/crypto/keyring.ts';

/** Everything Provisio reads from its environment, validated once at start. */
export interface Config {
  port: number;
  host: string;
  /** postgres://… selects the cluster profile; unset means embedded PGlite. */
  databaseUrl: string | undefined;
  dataDir: string;
  redisUrl: string | undefined;
  logLevel: string;
  seedDemoData: boolean;
  playbooksDir: string;
  /** Where the demo playbooks' stand-in network elements write their files. */
  labDir: string;
  /** `auto`: the process that runs playbooks outside a cluster starts the lab's real network elements; `off`: none. */
  lab: 'auto' | 'off';
  maxConcurrentRuns: number;
  /** The shortest time between two sync audits a product's schedule may ask. */
  minAuditIntervalSeconds: number;
  defaultRunTimeoutSeconds: number;
  shutdownGraceMs: number;
  /** Between SIGINT and SIGKILL when a run is cancelled or timed out. */
  killGraceMs: number;
  /** After a crash, compensate interrupted provisions (run their deprovision playbook) or quarantine at once. */
  onInterrupt: 'compensate' | 'quarantine';
  /** Events and logs of runs finished longer ago than this are pruned (summary and stats kept). */
  retentionDays: number;
  retentionIntervalMinutes: number;
  /** An admin key registered at start (the way in on PostgreSQL; optional on the embedded profile). */
  adminKey: string | undefined;
  /** Browser origins allowed to call the API cross-origin and open WebSockets; empty: none. */
  corsOrigins: string[];
  /** Requests per minute per partner key, unless its partner sets its own. */
  partnerRateLimitPerMinute: number;
  /** The origin clients reach the server at (behind a proxy), for the hrefs in TMF events; unset: the listening address. */
  publicUrl: string | undefined;
  /** Master keys that encrypt secrets at rest, the first sealing; empty: from secretKeyFile or the data directory. */
  secretKeys: string[];
  /** A file of master keys, one per line, the first sealing. */
  secretKeyFile: string | undefined;
  /** PostgreSQL: how often a process says it is alive; after three missed beats its runs are recovered. */
  heartbeatSeconds: number;
  /** Worker: the port of its GET /metrics (on HOST); unset: none. */
  metricsPort: number | undefined;
  /** Nice value of ansible-playbook and its session (0: same priority as the server): the API before the playbooks. */
  ansibleNice: number;
  /** `auto`: playbooks run in a CPU control group of their own where the host allows one; `off`: never. */
  ansibleCpuGroup: 'auto' | 'off';
  /** Cluster profile: runs executing at once across all workers; unset: the sum of the workers' own limits. */
  clusterMaxRuns: number | undefined;
  /** The ansible-playbook executable (a path, or a name looked up on PATH); unset: the runner's default, `ansible-playbook`. */
  ansiblePlaybook: string | undefined;
  webhooks: WebhookConfig;
  /** How long a run event waits for others to share its commit (0: those of the same turn only). */
  eventCommitWindowMs: number;
}

export interface WebhookConfig {
  /** Hosts endpoints may name (names, *.suffix, IP addresses, CIDR ranges); empty: any host with public addresses, https only. */
  allowedHosts: string[];
  /** First retry after this; each next one waits twice as long (capped at an hour). */
  retryBaseMs: number;
  /** Attempts before a delivery is FAILED (an admin can resend it). */
  maxAttempts: number;
  /** One attempt: connect, send, and the receiver's answer. */
  timeoutMs: number;
}

/** Node fires a timer longer than 2^31 − 1 ms after 1 ms: every delay from configuration stays below. */
const MAX_TIMER_MS = 2 ** 31 - 1;
const MAX_TIMER_MINUTES = Math.floor(MAX_TIMER_MS / 60_000);
const HOUR_MS = 3_600_000;

const booleanFlag = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off'])
  .transform((value) => ['1', 'true', 'yes', 'on'].includes(value));

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'DATABASE_URL must be a postgres:// or postgresql:// URL')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  PROVISIO_DATA_DIR: z.string().min(1).default('./data'),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'REDIS_URL must be a redis:// URL').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  PROVISIO_SEED_DEMO: booleanFlag.default(true),
  PROVISIO_PLAYBOOKS_DIR: z.string().min(1).default('./playbooks'),
  // Default: the lab directory inside the data directory, so that one setting moves all state.
  PROVISIO_LAB_DIR: z.string().min(1).optional(),
  PROVISIO_LAB: z.enum(['auto', 'off']).default('auto'),
  PROVISIO_MAX_CONCURRENT_RUNS: z.coerce.number().int().min(1).max(1000).default(4),
  PROVISIO_MIN_AUDIT_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(7 * 24 * 3600).default(300),
  PROVISIO_RUN_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(MAX_RUN_TIMEOUT_SECONDS, `at most ${MAX_RUN_TIMEOUT_SECONDS} (7 days), like a product's runTimeoutSeconds`).default(1800),
  PROVISIO_SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(HOUR_MS, `at most ${HOUR_MS} (1 hour)`).default(10_000),
  PROVISIO_KILL_GRACE_MS: z.coerce.number().int().min(0).max(HOUR_MS, `at most ${HOUR_MS} (1 hour)`).default(5_000),
  PROVISIO_ON_INTERRUPT: z.enum(['compensate', 'quarantine']).default('compensate'),
  PROVISIO_RETENTION_DAYS: z.coerce.number().min(0).default(90),
  PROVISIO_RETENTION_INTERVAL_MINUTES: z.coerce
    .number()
    .min(1)
    .max(MAX_TIMER_MINUTES, `at most ${MAX_TIMER_MINUTES} (24 days: a longer timer fires at once in Node)`)
    .default(60),
  PROVISIO_ADMIN_KEY: z
    .string()
    .min(MIN_KEY_LENGTH, `PROVISIO_ADMIN_KEY must be at least ${MIN_KEY_LENGTH} characters (e.g. openssl rand -base64 32)`)
    .max(512)
    .regex(/^\S+$/, 'PROVISIO_ADMIN_KEY must not contain white space')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  PROVISIO_CORS_ORIGINS: z
    .string()
    .default('')
    .transform((value) => value.split(',').map((origin) => origin.trim()).filter(Boolean))
    .refine((origins) => origins.every((origin) => /^https?:\/\/[^/\s]+$/.test(origin)), 'PROVISIO_CORS_ORIGINS is a comma-separated list of origins such as https://console.example.com (scheme and host, no path)'),
  PROVISIO_PARTNER_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(600),
  PROVISIO_PUBLIC_URL: z
    .string()
    .regex(/^https?:\/\/[^/\s]+$/, 'PROVISIO_PUBLIC_URL is an origin such as https://provisio.example.net (scheme and host, no path)')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  PROVISIO_SECRET_KEY: z
    .string()
    .default('')
    .transform((value) => value.split(',').map((key) => key.trim()).filter(Boolean))
    .superRefine((keys, ctx) => {
      keys.forEach((key, index) => {
        const problem = checkKeyText(key);
        if (problem) ctx.addIssue({ code: 'custom', message: `key ${index + 1} is ${problem} (several keys: comma-separated, the first seals)` });
      });
    }),
  PROVISIO_METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional().or(z.literal('').transform(() => undefined)),
  PROVISIO_ANSIBLE_NICE: z.coerce.number().int().min(0).max(19).default(19),
  PROVISIO_ANSIBLE_CPU_GROUP: z.enum(['auto', 'off']).default('auto'),
  PROVISIO_ANSIBLE_PLAYBOOK: z.string().optional().transform((value) => value || undefined),
  PROVISIO_CLUSTER_MAX_RUNS: z.coerce.number().int().min(1).max(100_000).optional().or(z.literal('').transform(() => undefined)),
  PROVISIO_HEARTBEAT_SECONDS: z.coerce.number().min(0.2).max(300).default(5),
  PROVISIO_SECRET_KEY_FILE: z.string().optional().or(z.literal('').transform(() => undefined)),
  PROVISIO_WEBHOOK_ALLOWED_HOSTS: z
    .string()
    .default('')
    .transform((value) => value.split(',').map((host) => host.trim().toLowerCase()).filter(Boolean))
    .superRefine((hosts, ctx) => {
      for (const host of hosts) {
        const problem = allowedHostProblem(host);
        if (problem) ctx.addIssue({ code: 'custom', message: `"${host}": ${problem} (a comma-separated list of host names, *.example.com, IP addresses or CIDR ranges)` });
      }
    }),
  PROVISIO_WEBHOOK_RETRY_BASE_MS: z.coerce.number().int().min(10).max(HOUR_MS, `at most ${HOUR_MS} (1 hour)`).default(30_000),
  PROVISIO_WEBHOOK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(12),
  PROVISIO_EVENT_COMMIT_WINDOW_MS: z.coerce.number().int().min(0).max(50).default(5),
  PROVISIO_WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  // Any value: only `production` means something (see isProduction).
  NODE_ENV: z.string().optional(),
}).refine((env) => !(env.PROVISIO_SECRET_KEY.length > 0 && env.PROVISIO_SECRET_KEY_FILE), {
  path: ['PROVISIO_SECRET_KEY_FILE'],
  message: 'set PROVISIO_SECRET_KEY or PROVISIO_SECRET_KEY_FILE, not both',
});

/** Every environment variable the configuration reads (the README's table lists each). */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(envSchema.shape);

export class ConfigError extends Error {}

/**
 * NODE_ENV=production. For what is settled while modules load, before loadConfig runs: the schema
 * builder (src/schema/builder.ts) is configured when it is imported.
 */
export function isProduction(env: Record<string, string | undefined> = process.env): boolean {
  return env.NODE_ENV === 'production';
}

/** Parses the environment (or overrides, for tests) into a Config; throws ConfigError listing every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env, overrides: Partial<Config> = {}): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    dataDir: path.resolve(e.PROVISIO_DATA_DIR),
    redisUrl: e.REDIS_URL,
    logLevel: e.LOG_LEVEL,
    seedDemoData: e.PROVISIO_SEED_DEMO,
    playbooksDir: path.resolve(e.PROVISIO_PLAYBOOKS_DIR),
    labDir: path.resolve(e.PROVISIO_LAB_DIR ?? path.join(e.PROVISIO_DATA_DIR, 'lab')),
    lab: e.PROVISIO_LAB,
    maxConcurrentRuns: e.PROVISIO_MAX_CONCURRENT_RUNS,
    minAuditIntervalSeconds: e.PROVISIO_MIN_AUDIT_INTERVAL_SECONDS,
    defaultRunTimeoutSeconds: e.PROVISIO_RUN_TIMEOUT_SECONDS,
    shutdownGraceMs: e.PROVISIO_SHUTDOWN_GRACE_MS,
    killGraceMs: e.PROVISIO_KILL_GRACE_MS,
    onInterrupt: e.PROVISIO_ON_INTERRUPT,
    retentionDays: e.PROVISIO_RETENTION_DAYS,
    retentionIntervalMinutes: e.PROVISIO_RETENTION_INTERVAL_MINUTES,
    adminKey: e.PROVISIO_ADMIN_KEY,
    corsOrigins: e.PROVISIO_CORS_ORIGINS,
    partnerRateLimitPerMinute: e.PROVISIO_PARTNER_RATE_LIMIT_PER_MINUTE,
    publicUrl: e.PROVISIO_PUBLIC_URL,
    secretKeys: e.PROVISIO_SECRET_KEY,
    heartbeatSeconds: e.PROVISIO_HEARTBEAT_SECONDS,
    clusterMaxRuns: e.PROVISIO_CLUSTER_MAX_RUNS,
    ansibleNice: e.PROVISIO_ANSIBLE_NICE,
    ansibleCpuGroup: e.PROVISIO_ANSIBLE_CPU_GROUP,
    ansiblePlaybook: e.PROVISIO_ANSIBLE_PLAYBOOK,
    metricsPort: e.PROVISIO_METRICS_PORT,
    secretKeyFile: e.PROVISIO_SECRET_KEY_FILE === undefined ? undefined : path.resolve(e.PROVISIO_SECRET_KEY_FILE),
    eventCommitWindowMs: e.PROVISIO_EVENT_COMMIT_WINDOW_MS,
    webhooks: {
      allowedHosts: e.PROVISIO_WEBHOOK_ALLOWED_HOSTS,
      retryBaseMs: e.PROVISIO_WEBHOOK_RETRY_BASE_MS,
      maxAttempts: e.PROVISIO_WEBHOOK_MAX_ATTEMPTS,
      timeoutMs: e.PROVISIO_WEBHOOK_TIMEOUT_MS,
    },
    ...overrides,
  };
}
