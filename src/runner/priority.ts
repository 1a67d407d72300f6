import { constants as fsc } from 'node:fs';
import { access } from 'node:fs/promises';
import { delimiter, isAbsolute, join } from 'node:path';

/**
 * How ansible-playbook is started, for CPU shares and for cancel.
 *
 * It leads a process group of its own, so a cancel (a signal to the group) reaches its forks and
 * their module processes. Where the host lets this process make a CPU control group
 * (cpu-group.ts), the playbook joins it: all playbooks of the process then weigh as one nice-0
 * session against the rest of the host, and the server's own autogroup is another. Otherwise it
 * stays in the server's session, so with the kernel's autogroup scheduling it shares the server's
 * group, where nice ranks it below the server. A playbook in a session of its own (setsid, which
 * is all Node's `detached` offers) would be a group of its own: at a low nice it starves as soon
 * as any other session keeps the CPUs busy, at nice 0 it competes with the server as an equal.
 *
 * Node cannot create a process group without a new session, so a one-line launcher does it
 * (setpgid), joins the CPU group and lowers the priority before it execs ansible-playbook: the
 * forks inherit all three and the pid stays that of ansible-playbook. perl-base is part of every
 * Debian system and starts in a millisecond; python3, which Ansible needs anyway, is the fallback.
 */
export interface Launch {
  file: string;
  args: string[];
}

/** Exit code and message of the launcher when it could not exec the command. */
export const LAUNCH_FAILED_EXIT_CODE = 127;
export const LAUNCH_FAILED_MESSAGE = 'provisio launcher: cannot run';
/** What the launcher says when it cannot put the playbook in its CPU group (it runs anyway). */
export const JOIN_FAILED_MESSAGE = 'provisio launcher: cannot join the CPU group';

const PERL_LAUNCHER = [
  'my $nice = shift @ARGV; my $group = shift @ARGV; my $f;',
  'setpgrp(0, 0) or die "provisio launcher: setpgrp: $!\\n";',
  `if ($group ne '') { open($f, '>>', $group) && print($f "$$\\n") && close($f) or print STDERR "${JOIN_FAILED_MESSAGE} $group: $!\\n"; }`,
  'setpriority(0, 0, $nice) if $nice > getpriority(0, 0);',
  'exec { $ARGV[0] } @ARGV;',
  `print STDERR "${LAUNCH_FAILED_MESSAGE} $ARGV[0]: $!\\n";`,
  `exit ${LAUNCH_FAILED_EXIT_CODE};`,
].join(' ');

const PYTHON_LAUNCHER = [
  'import os, sys',
  'nice, group, command = int(sys.argv[1]), sys.argv[2], sys.argv[3:]',
  'os.setpgid(0, 0)',
  'if group:\n    try:\n        with open(group, "a") as f: f.write(f"{os.getpid()}\\n")',
  `    except OSError as error:\n        sys.stderr.write(f"${JOIN_FAILED_MESSAGE} {group}: {error}\\n")`,
  'os.setpriority(os.PRIO_PROCESS, 0, max(nice, os.getpriority(os.PRIO_PROCESS, 0)))',
  'try:\n    os.execv(command[0], command)',
  `except OSError as error:\n    sys.stderr.write(f"${LAUNCH_FAILED_MESSAGE} {command[0]}: {error}\\n"); sys.exit(${LAUNCH_FAILED_EXIT_CODE})`,
].join('\n');

export interface Interpreter {
  kind: 'perl' | 'python';
  path: string;
}

let interpreter: Promise<Interpreter | undefined> | undefined;

async function findOnPath(command: string): Promise<string | undefined> {
  for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(delimiter)) {
    if (dir === '' || !isAbsolute(dir)) continue;
    const candidate = join(dir, command);
    try {
      await access(candidate, fsc.X_OK);
      return candidate;
    } catch {
      // Not here.
    }
  }
  return undefined;
}

async function findInterpreter(): Promise<Interpreter | undefined> {
  const perl = await findOnPath('perl');
  if (perl) return { kind: 'perl', path: perl };
  const python = await findOnPath('python3');
  return python ? { kind: 'python', path: python } : undefined;
}

/** The launcher's command line with a given interpreter. */
export function launchWith(found: Interpreter, file: string, args: readonly string[], nice: number, cpuGroupProcs = ''): Launch {
  const niceArg = String(Math.max(0, nice));
  // perl drops the `--` that ends its switches; python passes everything after -c to the code.
  const launcher = found.kind === 'perl' ? ['-e', PERL_LAUNCHER, '--'] : ['-c', PYTHON_LAUNCHER];
  return { file: found.path, args: [...launcher, niceArg, cpuGroupProcs, file, ...args] };
}

/**
 * The command that runs `file args` as the leader of a new process group in this process's
 * session, in the CPU group whose `cgroup.procs` is given (if any), at `nice` (never above this
 * process's own priority). Undefined when neither perl nor python3 is on PATH: the caller then
 * falls back to a session of its own.
 */
export async function groupLaunch(file: string, args: readonly string[], nice: number, cpuGroupProcs?: string): Promise<Launch | undefined> {
  interpreter ??= findInterpreter();
  const found = await interpreter;
  return found && launchWith(found, file, args, nice, cpuGroupProcs);
}
