import { describe, expect, it } from 'vitest';
import { ConfigError, isProduction, loadConfig } from '../../src/config.ts';

describe('configuration', () => {
  it('refuses delays that would overflow a Node timer (which then fires at once)', () => {
    const cases: Record<string, string> = {
      PROVISIO_RUN_TIMEOUT_SECONDS: String(30 * 24 * 3600),
      PROVISIO_RETENTION_INTERVAL_MINUTES: String(30 * 24 * 60),
      PROVISIO_KILL_GRACE_MS: String(2 ** 31),
      PROVISIO_SHUTDOWN_GRACE_MS: String(2 ** 31),
    };
    for (const [name, value] of Object.entries(cases)) {
      expect(() => loadConfig({ [name]: value }), name).toThrow(ConfigError);
      expect(() => loadConfig({ [name]: value }), name).toThrow(new RegExp(`${name}: .*at most`));
    }
    // The largest accepted values stay below 2^31 − 1 ms.
    const config = loadConfig({ PROVISIO_RUN_TIMEOUT_SECONDS: String(7 * 24 * 3600), PROVISIO_RETENTION_INTERVAL_MINUTES: '35791' });
    expect(config.defaultRunTimeoutSeconds * 1000).toBeLessThan(2 ** 31);
    expect(config.retentionIntervalMinutes * 60_000).toBeLessThan(2 ** 31);
  });

  it('reads the access settings', () => {
    const config = loadConfig({ PROVISIO_CORS_ORIGINS: 'https://a.example, https://b.example:8443', PROVISIO_PARTNER_RATE_LIMIT_PER_MINUTE: '30' });
    expect(config.corsOrigins).toEqual(['https://a.example', 'https://b.example:8443']);
    expect(config.partnerRateLimitPerMinute).toBe(30);
    expect(() => loadConfig({ PROVISIO_CORS_ORIGINS: 'https://a.example/path' })).toThrow(/PROVISIO_CORS_ORIGINS/);
    expect(() => loadConfig({ PROVISIO_ADMIN_KEY: 'short' })).toThrow(/PROVISIO_ADMIN_KEY: PROVISIO_ADMIN_KEY must be at least 32 characters/);
  });

  it('reads the keys for secrets at rest, and says what a good key looks like', () => {
    const key = Buffer.alloc(32, 7).toString('base64');
    const other = Buffer.alloc(32, 9).toString('base64url');
    expect(loadConfig({ PROVISIO_SECRET_KEY: ` ${key} , ${other} ` }).secretKeys).toEqual([key, other]);
    expect(loadConfig({ PROVISIO_SECRET_KEY_FILE: 'keys/secret' }).secretKeyFile).toMatch(/\/keys\/secret$/);
    expect(() => loadConfig({ PROVISIO_SECRET_KEY: 'correct horse battery staple' })).toThrow(/PROVISIO_SECRET_KEY: key 1 is not base64: a key is 32 random bytes/);
    expect(() => loadConfig({ PROVISIO_SECRET_KEY: `${key},${Buffer.alloc(16).toString('base64')}` })).toThrow(/key 2 is 16 bytes/);
    expect(() => loadConfig({ PROVISIO_SECRET_KEY: key, PROVISIO_SECRET_KEY_FILE: '/etc/provisio/key' })).toThrow(/not both/);
  });

  it('reads the cluster settings', () => {
    expect(loadConfig({}).clusterMaxRuns).toBeUndefined();
    expect(loadConfig({}).heartbeatSeconds).toBe(5);
    const config = loadConfig({ PROVISIO_CLUSTER_MAX_RUNS: '12', PROVISIO_HEARTBEAT_SECONDS: '2' });
    expect([config.clusterMaxRuns, config.heartbeatSeconds]).toEqual([12, 2]);
    expect(() => loadConfig({ PROVISIO_CLUSTER_MAX_RUNS: '0' })).toThrow(/PROVISIO_CLUSTER_MAX_RUNS/);
    expect(() => loadConfig({ PROVISIO_HEARTBEAT_SECONDS: '0' })).toThrow(/PROVISIO_HEARTBEAT_SECONDS/);
    expect(loadConfig({}).ansibleNice).toBe(19);
    expect(loadConfig({ PROVISIO_ANSIBLE_NICE: '0' }).ansibleNice).toBe(0);
    expect(() => loadConfig({ PROVISIO_ANSIBLE_NICE: '20' })).toThrow(/PROVISIO_ANSIBLE_NICE/);
  });

  it('reads where Ansible is and whether this is production', () => {
    expect(loadConfig({}).ansiblePlaybook).toBeUndefined();
    expect(loadConfig({ PROVISIO_ANSIBLE_PLAYBOOK: '/opt/ansible/bin/ansible-playbook' }).ansiblePlaybook).toBe('/opt/ansible/bin/ansible-playbook');
    expect(isProduction({ NODE_ENV: 'production' })).toBe(true);
    expect(isProduction({ NODE_ENV: 'test' })).toBe(false);
    expect(isProduction({})).toBe(false);
    expect(loadConfig({ NODE_ENV: 'anything' }).port).toBe(4000);
  });

  it('reads the webhook settings', () => {
    const config = loadConfig({ PROVISIO_WEBHOOK_ALLOWED_HOSTS: 'Hooks.Example.com, *.crm.example, 10.0.0.0/8, 127.0.0.1', PROVISIO_WEBHOOK_MAX_ATTEMPTS: '5' });
    expect(config.webhooks).toEqual({ allowedHosts: ['hooks.example.com', '*.crm.example', '10.0.0.0/8', '127.0.0.1'], retryBaseMs: 30_000, maxAttempts: 5, timeoutMs: 10_000 });
    expect(loadConfig({}).webhooks.allowedHosts).toEqual([]);
    expect(() => loadConfig({ PROVISIO_WEBHOOK_ALLOWED_HOSTS: 'https://hooks.example.com' })).toThrow(/PROVISIO_WEBHOOK_ALLOWED_HOSTS: "https:\/\/hooks.example.com": not a host name/);
    expect(() => loadConfig({ PROVISIO_WEBHOOK_MAX_ATTEMPTS: '0' })).toThrow(/PROVISIO_WEBHOOK_MAX_ATTEMPTS/);
  });
});
