import fs from 'node:fs';
import os from 'node:os';

/**
 * Lowers a playbook's CPU priority below the server's. `nice` alone is not enough: the runner
 * starts ansible-playbook in a session of its own (setsid, so a cancel reaches its whole group),
 * and with the kernel's autogroup scheduling every session is one group that shares CPU with the
 * others as an equal, whatever the nice values inside it. So the playbook's autogroup gets the
 * nice value too (/proc/<pid>/autogroup; raising it needs no privilege), and its processes,
 * which the forks inherit, as well. Best effort: without autogroup or /proc, nice still orders
 * the processes.
 */
export function lowerPriority(pid: number, nice: number): void {
  if (nice <= 0) return;
  try {
    os.setPriority(pid, nice);
  } catch {
    // The process already ended.
  }
  try {
    fs.writeFileSync(`/proc/${pid}/autogroup`, String(nice));
  } catch {
    // No autogroup scheduling here (kernel option off, or not Linux).
  }
}
