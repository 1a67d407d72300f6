import fs from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { Logger } from '../../logger.ts';
import { startElementProcess } from './element-process.ts';
import type { LabElement } from './element.ts';
import { freeUdpPort, isTcpPortFree, isUdpPortFree } from './ports.ts';
import { sipOptions } from './sip-probe.ts';

/** The SIP domain of the demo's lines (playbooks/voip-line/.vars.yml says the same). */
export const SIP_DOMAIN = 'voip.example.net';
const HOST = '127.0.0.1';
const SCHEMA_DIR = '/usr/share/kamailio/db_sqlite';
// Ports a SIP test tool or another lab on this machine is likely to use (5060+, sipp's 6000+ and
// 8888+ defaults): a registrar there would answer someone else's requests.
const AVOIDED_PORTS: ReadonlyArray<readonly [number, number]> = [[5060, 5119], [6000, 6200], [8888, 8947]];

/**
 * The registrar: digest authentication against the subscriber table (plain password, HA1
 * computed per request, the row read on every REGISTER, so a provision is seen at once), the
 * caller name returned as X-Caller-Name, registrations in memory only (a restart drops them),
 * and an OPTIONS to the server itself answered 200 (the readiness probe).
 */
function config(db: string, ctl: string): string {
  return `#!KAMAILIO
# Written by Provisio at each lab start (src/demo/lab/kamailio.ts): edits are lost.
debug=2
log_stderror=yes
log_prefix="{$mt $hdr(CSeq) $ci} "
children=2
tcp_children=1
auto_aliases=no
alias="${SIP_DOMAIN}"
dns=no
rev_dns=no
use_dns_cache=off
dns_try_ipv6=no
enable_sctp=no
server_header="Server: provisio-lab-registrar"

loadmodule "db_sqlite.so"
loadmodule "ctl.so"
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "pv.so"
loadmodule "maxfwd.so"
loadmodule "textops.so"
loadmodule "siputils.so"
loadmodule "xlog.so"
loadmodule "sanity.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
loadmodule "auth.so"
loadmodule "auth_db.so"

modparam("ctl", "binrpc", "unix:${ctl}")
modparam("usrloc", "db_mode", 0)
modparam("usrloc", "use_domain", 1)
modparam("registrar", "max_expires", 3600)
modparam("registrar", "default_expires", 600)
# Four slashes: an absolute path (three would be relative to the working directory).
modparam("auth_db", "db_url", "sqlite:///${db}")
modparam("auth_db", "calculate_ha1", 1)
modparam("auth_db", "password_column", "password")
modparam("auth_db", "use_domain", 1)
modparam("auth_db", "load_credentials", "$avp(caller_name)=caller_name")

request_route {
	if (!mf_process_maxfwd_header("10")) { sl_send_reply("483", "Too Many Hops"); exit; }
	if (!sanity_check("17895", "7")) { exit; }
	if (is_method("OPTIONS") && uri==myself && $rU==$null) { sl_send_reply("200", "Keepalive"); exit; }
	if (is_method("REGISTER")) { route(REGISTRAR); exit; }
	sl_send_reply("501", "Registrar only");
	exit;
}

route[REGISTRAR] {
	$var(rc) = auth_check("$fd", "subscriber", "1");
	if ($var(rc) < 0) {
		# Wrong password, unknown user, or another user's credentials: a final 403, no new challenge.
		if ($var(rc) == -2 || $var(rc) == -3 || $var(rc) == -8) {
			xlog("L_NOTICE", "REGISTER refused rc=$var(rc) user=$au@$ar from $si:$sp\\n");
			sl_send_reply("403", "Forbidden");
			exit;
		}
		# The database failed (busy, locked): a 500 a test sees, rather than a challenge loop.
		if ($var(rc) == -1) { sl_send_reply("500", "Auth Backend Error"); exit; }
		auth_challenge("$fd", "0");
		exit;
	}
	consume_credentials();
	append_to_reply("X-Caller-Name: $avp(caller_name)\\r\\n");
	if (!save("location")) { sl_reply_error(); }
	exit;
}
`;
}

/**
 * Creates the database on the first start, kept across restarts: Debian's schema, the caller
 * name column the registrar returns, and WAL (persistent in the file), without which Kamailio's
 * reads fail while a provision writes.
 */
function createDatabase(db: string): void {
  if (fs.existsSync(db)) return;
  const sql = ['standard-create.sql', 'auth_db-create.sql'].map((file) => fs.readFileSync(path.join(SCHEMA_DIR, file), 'utf8'));
  const creating = `${db}.creating`;
  fs.rmSync(creating, { force: true });
  const database = new DatabaseSync(creating);
  try {
    database.exec('PRAGMA journal_mode=WAL');
    database.exec(`BEGIN;\n${sql.join('\n')}\nALTER TABLE subscriber ADD COLUMN caller_name VARCHAR(128) DEFAULT '' NOT NULL;\nCOMMIT;`);
  } finally {
    database.close();
  }
  fs.chmodSync(creating, 0o600);
  fs.renameSync(creating, db);
}

const avoided = (port: number) => AVOIDED_PORTS.some(([low, high]) => port >= low && port <= high);

/**
 * A port free for both UDP and TCP (Kamailio listens on both, so that a clash is fatal rather
 * than half a registrar): the last start's when it is still free, so the target `lab` keeps its
 * version, else one the kernel picks.
 */
async function sipPort(dir: string): Promise<number> {
  const remembered = Number(fs.existsSync(path.join(dir, 'port')) ? fs.readFileSync(path.join(dir, 'port'), 'utf8') : NaN);
  const candidates = async function* () {
    if (Number.isInteger(remembered) && remembered > 0) yield remembered;
    for (let attempt = 0; attempt < 50; attempt++) yield await freeUdpPort(HOST);
  };
  for await (const port of candidates()) {
    if (avoided(port) || !(await isUdpPortFree(port)) || !(await isTcpPortFree(port))) continue;
    fs.writeFileSync(path.join(dir, 'port'), `${port}\n`, { mode: 0o600 });
    return port;
  }
  throw new Error('no loopback port is free for both UDP and TCP');
}

/** Kamailio as a SIP registrar: the voip-line's subscribers (one row each) in an SQLite database. */
export const kamailio: LabElement = {
  name: 'kamailio',
  binary: '/usr/sbin/kamailio',
  // Debian's kamailio comes without its SQLite modules: without them the registrar stays a stand-in.
  requires: [SCHEMA_DIR],
  debianPackages: ['kamailio', 'kamailio-sqlite-modules'],
  async start(dir: string, logger: Logger) {
    const db = path.resolve(dir, 'registrar.db');
    const ctl = path.resolve(dir, 'ctl.sock');
    // A Unix socket's path is at most 107 bytes: a deep lab directory would fail obscurely.
    if (Buffer.byteLength(ctl) > 107) throw new Error(`lab directory too deep for Kamailio's control socket: ${ctl}`);
    createDatabase(db);
    fs.writeFileSync(path.join(dir, 'kamailio.cfg'), config(db, ctl), { mode: 0o600 });
    fs.mkdirSync(path.join(dir, 'run'), { recursive: true, mode: 0o700 });
    const port = await sipPort(dir);
    const process = await startElementProcess(
      {
        name: 'kamailio',
        command: this.binary,
        args: ['-DD', '-E', '-f', 'kamailio.cfg', '-m', '16', '-M', '4', '-Y', path.resolve(dir, 'run'), '-P', path.resolve(dir, 'run/kamailio.pid'), '-w', path.resolve(dir), '-l', `udp:${HOST}:${port}`, '-l', `tcp:${HOST}:${port}`],
        dir,
        processGroup: true,
        ready: async () => (await sipOptions(HOST, port, 500)) === 200,
      },
      logger,
    );
    return {
      process,
      vars: { lab_sip: { host: HOST, port, domain: SIP_DOMAIN, db, ctl } },
      address: `SIP udp/tcp ${HOST}:${port} (${SIP_DOMAIN}), ctl ${ctl}`,
    };
  },
};
