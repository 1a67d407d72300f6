// The lab's FreeRADIUS 3.2 (Debian 12) configuration: written whole at each start, instead of
// Debian's /etc/freeradius/3.0, whose radiusd.conf and default site pull in ~30 modules (eap
// among them, which wants certificates). Subscribers are rows of rlm_sql's sqlite database, so a
// playbook's change is seen by the next request without a reload.

export interface RadiusConfig {
  /** The element's directory: everything the daemon reads or writes is under it. */
  dir: string;
  authPort: number;
  acctPort: number;
  secret: string;
  db: string;
}

export function radiusdConf({ dir }: RadiusConfig): string {
  return `# The Provisio lab's FreeRADIUS (generated at each start: edits are lost)
prefix = /usr
exec_prefix = /usr
sysconfdir = ${dir}
localstatedir = ${dir}
sbindir = /usr/sbin
logdir = ${dir}/log
raddbdir = ${dir}/raddb
radacctdir = \${logdir}/radacct
name = freeradius
confdir = \${raddbdir}
modconfdir = \${confdir}/mods-config
certdir = \${confdir}/certs
cadir = \${confdir}/certs
run_dir = ${dir}/run
db_dir = ${dir}/db
libdir = /usr/lib/freeradius
pidfile = \${run_dir}/\${name}.pid

max_request_time = 30
cleanup_delay = 5
max_requests = 4096
hostname_lookups = no

log {
	destination = files
	colourise = no
	file = \${logdir}/radius.log
	auth = yes
	auth_badpass = no
	auth_goodpass = no
}

# No user/group: the daemon keeps the uid of the server that starts it.
security {
	allow_core_dumps = no
	max_attributes = 200
	# Debian's 1 s would delay every Access-Reject (a test of a removed subscriber, a probe).
	reject_delay = 0
	status_server = yes
}

proxy_requests = no
$INCLUDE clients.conf

thread pool {
	start_servers = 2
	max_servers = 8
	min_spare_servers = 1
	max_spare_servers = 4
	max_requests_per_server = 0
	auto_limit_acct = no
	# Debian's 65536 touches 9 queues of 8 MiB at start: 0.8 s and 86 MB for a lab element.
	max_queue_size = 1024
}

modules {
	$INCLUDE mods-enabled/
}
instantiate {
}
$INCLUDE sites-enabled/
`;
}

export function clientsConf({ secret }: RadiusConfig): string {
  return `client localhost {
	ipaddr = 127.0.0.1
	proto = udp
	secret = "${secret}"
	require_message_authenticator = no
	nas_type = other
}
`;
}

export function sqlModule({ db }: RadiusConfig): string {
  return `sql {
	dialect = "sqlite"
	driver = "rlm_sql_\${dialect}"
	sqlite {
		filename = "${db}"
		# How long a query waits on a playbook's write lock; Debian's 200 ms lost requests while
		# provisioning wrote (the database is in WAL mode: reads never wait on a writer).
		busy_timeout = 10000
	}
	radius_db = "radius"
	acct_table1 = "radacct"
	acct_table2 = "radacct"
	postauth_table = "radpostauth"
	authcheck_table = "radcheck"
	groupcheck_table = "radgroupcheck"
	authreply_table = "radreply"
	groupreply_table = "radgroupreply"
	usergroup_table = "radusergroup"
	read_groups = yes
	read_clients = no
	client_table = "nas"
	group_attribute = "SQL-Group"
	delete_stale_sessions = yes
	pool {
		start = 1
		min = 1
		# At least the threads: a request that finds the pool exhausted fails at once, a false reject.
		max = \${thread[pool].max_servers}
		spare = 2
		uses = 0
		retry_delay = 1
		lifetime = 0
		idle_timeout = 0
	}
	$INCLUDE \${modconfdir}/\${.:name}/main/\${dialect}/queries.conf
}
`;
}

export function defaultSite({ authPort, acctPort }: RadiusConfig): string {
  // An explicit port always: "port = 0" means the services file's 1812, not any free port.
  return `server default {
	listen {
		type = auth
		ipaddr = 127.0.0.1
		port = ${authPort}
	}
	listen {
		type = acct
		ipaddr = 127.0.0.1
		port = ${acctPort}
	}
	authorize {
		sql
		pap
	}
	authenticate {
		Auth-Type PAP {
			pap
		}
	}
	preacct {
		# radacct.acctuniqueid is UNIQUE: never leave it empty (Debian's acct_unique, simplified).
		update request {
			&Acct-Unique-Session-Id := "%{md5:%{User-Name},%{Acct-Session-Id},%{NAS-IP-Address},%{NAS-Identifier},%{NAS-Port-Id},%{NAS-Port}}"
		}
	}
	accounting {
		sql
	}
	post-auth {
		Post-Auth-Type REJECT {
			# sql copied the radreply rows during authorize: an Access-Reject must not carry them.
			update {
				&reply: !* ANY
			}
		}
	}
}
`;
}
