import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { Logger } from '../../logger.ts';
import { startElementProcess } from './element-process.ts';
import type { LabElement } from './element.ts';
import { clientsConf, defaultSite, radiusdConf, sqlModule, type RadiusConfig } from './freeradius-config.ts';
import { freeUdpPort, isUdpPortFree } from './ports.ts';
import { radiusStatus } from './radius-probe.ts';

/** Debian's files the configuration uses as they are: the modules' defaults, rlm_sql's queries and schema. */
const DEBIAN_RADDB = '/etc/freeradius/3.0';
const SQLITE_DIR = 'mods-config/sql/main/sqlite';
const HOST = '127.0.0.1';

/** The shared secret of this lab's RADIUS clients: random once, kept (mode 0600) so hand-made requests keep working. */
async function sharedSecret(dir: string): Promise<{ secret: string; file: string }> {
  const file = path.join(dir, 'secret');
  const kept = await fs.readFile(file, 'utf8').catch(() => '');
  if (/^[0-9a-f]{32}$/.test(kept.trim())) return { secret: kept.trim(), file };
  const secret = randomBytes(16).toString('hex');
  await fs.writeFile(file, `${secret}\n`, { mode: 0o600 });
  return { secret, file };
}

/**
 * The auth and acct ports: those of the last start while they are free (the lab target keeps its
 * version, a hand-made request its port), else two the kernel has free now.
 */
async function ports(dir: string): Promise<{ authPort: number; acctPort: number }> {
  const file = path.join(dir, 'ports.json');
  const kept = JSON.parse(await fs.readFile(file, 'utf8').catch(() => '{}')) as { authPort?: number; acctPort?: number };
  if (kept.authPort && kept.acctPort && kept.authPort !== kept.acctPort && (await isUdpPortFree(kept.authPort)) && (await isUdpPortFree(kept.acctPort))) {
    return { authPort: kept.authPort, acctPort: kept.acctPort };
  }
  const authPort = await freeUdpPort(HOST);
  let acctPort = await freeUdpPort(HOST);
  while (acctPort === authPort) acctPort = await freeUdpPort(HOST);
  await fs.writeFile(file, `${JSON.stringify({ authPort, acctPort })}\n`, { mode: 0o600 });
  return { authPort, acctPort };
}

/** Writes the whole configuration directory afresh (mode 0700/0600: it holds the secret, and radiusd refuses world-writable files). */
async function writeConfig(config: RadiusConfig): Promise<string> {
  const raddb = path.join(config.dir, 'raddb');
  await fs.rm(raddb, { recursive: true, force: true });
  for (const sub of ['mods-enabled', 'sites-enabled', SQLITE_DIR]) await fs.mkdir(path.join(raddb, sub), { recursive: true, mode: 0o700 });
  for (const sub of ['run', 'log', 'db']) await fs.mkdir(path.join(config.dir, sub), { recursive: true, mode: 0o700 });
  const write = (file: string, text: string) => fs.writeFile(path.join(raddb, file), text, { mode: 0o600 });
  await write('radiusd.conf', radiusdConf(config));
  await write('clients.conf', clientsConf(config));
  await write('mods-enabled/sql', sqlModule(config));
  await write('sites-enabled/default', defaultSite(config));
  // pap checks Cleartext-Password; expr provides %{tolower:} to queries.conf.
  for (const module of ['pap', 'expr']) await write(`mods-enabled/${module}`, await fs.readFile(path.join(DEBIAN_RADDB, 'mods-available', module), 'utf8'));
  await write(`${SQLITE_DIR}/queries.conf`, await fs.readFile(path.join(DEBIAN_RADDB, SQLITE_DIR, 'queries.conf'), 'utf8'));
  return raddb;
}

/**
 * The subscriber database, created once from Debian's schema and kept across restarts (its
 * indexes have no IF NOT EXISTS: the schema cannot run twice). WAL, persistent in the file: the
 * daemon's reads never wait on a playbook's write. Built aside and renamed, so a failed creation
 * leaves no half database.
 */
async function ensureDatabase(db: string): Promise<void> {
  if (await fs.stat(db).then(() => true, () => false)) return;
  const building = `${db}.new`;
  await fs.rm(building, { force: true });
  const database = new DatabaseSync(building);
  try {
    database.exec(await fs.readFile(path.join(DEBIAN_RADDB, SQLITE_DIR, 'schema.sql'), 'utf8'));
    database.exec('PRAGMA journal_mode=WAL');
  } finally {
    database.close();
  }
  await fs.chmod(building, 0o600);
  await fs.rename(building, db);
}

/** FreeRADIUS: subscribers (check and reply attributes) in rlm_sql's sqlite database, authenticated by PAP. */
export const freeRadius: LabElement = {
  name: 'freeradius',
  binary: '/usr/sbin/freeradius',
  // radclient (freeradius-utils) is how the tests and an operator ask it; sqlite3 to look at its rows.
  debianPackages: ['freeradius', 'freeradius-utils', 'sqlite3'],
  async start(dir: string, logger: Logger) {
    const { secret, file: secretFile } = await sharedSecret(dir);
    const config: RadiusConfig = { dir, secret, db: path.join(dir, 'db', 'radius.sqlite'), ...(await ports(dir)) };
    const raddb = await writeConfig(config);
    await ensureDatabase(config.db);
    const process = await startElementProcess(
      {
        name: 'freeradius',
        command: this.binary,
        // -f: in the foreground, a child that dies with the server's stop; -l stdout: into output.log.
        args: ['-d', raddb, '-f', '-l', 'stdout'],
        dir,
        ready: () => radiusStatus(HOST, config.authPort, secret),
      },
      logger,
    );
    return {
      process,
      // The secret's file, not the secret: the lab target's inventory is stored and shown, not secret storage.
      vars: { lab_radius: { host: HOST, auth_port: config.authPort, acct_port: config.acctPort, secret_file: secretFile, db: config.db } },
      address: `auth ${HOST}:${config.authPort}, acct ${HOST}:${config.acctPort}`,
    };
  },
};
