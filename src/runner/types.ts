// The runner's types: events it streams, what a run takes and what it returns.
// Knows Ansible only; nothing here knows GraphQL or the database.
import type { RunCredential } from './credentials.ts';
import type { RunTarget } from './inventory.ts';

// ---- Events --------------------------------------------------------------

/** Event types written by the `provisio_events` callback plugin. */
export type AnsibleEventType =
  | 'playbook_start'
  | 'play_start'
  | 'task_start'
  | 'handler_task_start'
  | 'cleanup_task_start'
  | 'runner_start'
  | 'runner_ok'
  | 'runner_failed'
  | 'runner_skipped'
  | 'runner_unreachable'
  | 'runner_item_ok'
  | 'runner_item_failed'
  | 'runner_item_skipped'
  | 'runner_retry'
  | 'runner_async_poll'
  | 'runner_async_ok'
  | 'runner_async_failed'
  | 'diff'
  | 'stats'
  | 'notify'
  | 'include'
  | 'no_hosts_matched'
  | 'no_hosts_remaining'
  | 'warning'
  | 'deprecation';

/** Section of the innermost explicit `block:` that holds the task. */
export type BlockSection = 'block' | 'rescue' | 'always';

/** Per-host counters of the final stats (Ansible's PLAY RECAP). */
export interface HostStats {
  ok: number;
  changed: number;
  failures: number;
  unreachable: number;
  skipped: number;
  rescued: number;
  ignored: number;
}

export interface RunStats {
  hosts: Record<string, HostStats>;
  /** `set_stats` data: keyed by host, or `_run` for aggregated (per_host: false) stats. */
  custom: Record<string, Record<string, unknown>>;
}

/**
 * One Ansible event, as written by the plugin (one JSON line on the event fd).
 * Fields are present only where they apply to the event type; strings holding
 * a secret have already been masked when the runner hands the event over.
 */
export interface AnsibleEvent {
  type: AnsibleEventType;
  /** Plugin's own counter, 1-based and contiguous within a run. */
  seq: number;
  /** ISO-8601 UTC time at which the plugin saw the event. */
  ts: string;
  /** playbook_start */
  playbook?: string;
  checkMode?: boolean;
  diffMode?: boolean;
  ansibleVersion?: string;
  pid?: number;
  /** play_start */
  play?: string;
  playUuid?: string;
  /** play_start (pattern list), include (hosts that include the file) */
  hosts?: string[];
  /** task events and per-host results */
  task?: string;
  taskUuid?: string;
  action?: string;
  /** Absent when the task is not inside an explicit block. */
  section?: BlockSection;
  /** Sections from outermost to innermost block, e.g. ['rescue', 'block']. */
  sectionPath?: BlockSection[];
  role?: string;
  /** `file:line` of the task. */
  path?: string;
  host?: string;
  changed?: boolean;
  ignoreErrors?: boolean;
  /** True when the task ran with no_log: result holds only Ansible's censor message. */
  censored?: boolean;
  /** Module result without `invocation`, `diff` and internal `_ansible_*` keys. */
  result?: Record<string, unknown>;
  /** Loop item label (item events). */
  item?: unknown;
  /** runner_retry */
  attempts?: number;
  retries?: number;
  /** diff: the module's diff entries (before/after/prepared...). */
  diff?: unknown[];
  /** stats */
  stats?: RunStats;
  /** notify */
  handler?: string;
  /** include */
  includedFile?: string;
  /** warning, deprecation */
  message?: string;
  version?: string;
  /** Some fields were replaced by `<truncated: N bytes>` to respect the event size cap. */
  truncated?: boolean;
}

/** Emitted by the runner (not Ansible) for a line of the event stream that is not a valid event. */
export interface ParseErrorEvent {
  type: 'parse_error';
  /** Start of the offending line (at most 1 KiB, secrets masked). */
  line: string;
  error: string;
}

export type RunnerEvent = AnsibleEvent | ParseErrorEvent;

// ---- Run spec and outcome -----------------------------------------------

export interface RunSpec {
  /** Playbook file; resolved to an absolute path. */
  playbookPath: string;
  /**
   * Extra vars: request and inventory data only. Every string reaches Ansible
   * as data, never as a template. Top-level keys must be identifiers not
   * starting with `ansible_`; keys starting with `__ansible` are refused anywhere.
   */
  variables: Record<string, unknown>;
  checkMode: boolean;
  /** Pass `--diff`; default: same as checkMode. */
  diff?: boolean;
  /** Values to mask in the log and in events. Empty strings are ignored. */
  secrets: readonly string[];
  /** The inventory to run against; absent: localhost. */
  target?: RunTarget | undefined;
  /** Written to the run's private directory for this run only; their values are masked. */
  credentials?: readonly RunCredential[] | undefined;
  /** Abort = cancel: SIGINT to the process group, SIGKILL after graceMs. */
  signal?: AbortSignal;
  /** Default 5000. */
  graceMs?: number;
  /** Extra environment for ansible-playbook (the runner's own process env is not inherited). */
  env?: Record<string, string>;
  onSpawn?: (pid: number) => void;
  /** Nice value for ansible-playbook and its forks (0: this process's own priority); it ranks them below the server in its autogroup, or among themselves in their CPU group. */
  nice?: number;
  /** The `cgroup.procs` of the CPU group the playbook joins (playbookCpuGroup()); unset: none. */
  cpuGroupProcs?: string | undefined;
  /** Called strictly in order; a returned promise is awaited before the next event (backpressure). */
  onEvent: (event: RunnerEvent) => void | Promise<void>;
  /** Cap of the kept stdout+stderr log (head and tail are kept). Default 1 MiB. */
  logLimitBytes?: number;
  /** Cap of one event line, enforced by the plugin. Default 64 KiB. */
  eventLimitBytes?: number;
  /** ansible-playbook executable (the server's PROVISIO_ANSIBLE_PLAYBOOK); default `ansible-playbook` on PATH. */
  ansiblePlaybook?: string;
}

export interface RunOutcome {
  /** null when the process ended by a signal (or never started). */
  exitCode: number | null;
  signal: string | null;
  /** Data of the final `stats` event, or null if none arrived. */
  stats: RunStats | null;
  statsReceived: boolean;
  /** stdout+stderr interleaved, secrets masked, capped. */
  log: string;
  logTruncated: boolean;
  /** The run was cancelled through the AbortSignal. */
  cancelled: boolean;
  durationMs: number;
  /** Events handed to onEvent (including parse errors). */
  eventCount: number;
  parseErrors: number;
  /** The callback plugin aborted the run because its event fd was unusable. */
  pluginFailed: boolean;
}
