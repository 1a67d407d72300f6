import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export class DataDirLockedError extends Error {}

export interface DataDirLock {
  release(): void;
}

/**
 * Takes an exclusive lock on an embedded data directory, because two processes can open the same
 * PGlite directory without error and silently lose writes. A lock file created with O_EXCL holds
 * our pid; a lock left by a dead process (kill -9) is taken over at once. Written by hand rather
 * than with proper-lockfile: its mtime-based staleness would make a restart after a crash wait.
 */
export function lockDataDir(dataDir: string): DataDirLock {
  const lockPath = path.join(dataDir, 'provisio.lock');
  const ours = JSON.stringify({ pid: process.pid, host: os.hostname(), since: new Date().toISOString() });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(lockPath, ours, { flag: 'wx', mode: 0o600 });
      return {
        release() {
          try {
            if (fs.readFileSync(lockPath, 'utf8') === ours) fs.unlinkSync(lockPath);
          } catch {
            // Already gone: nothing to release.
          }
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = readHolder(lockPath);
      if (holder && holder.host === os.hostname() && isAlive(holder.pid)) {
        throw new DataDirLockedError(
          `Data directory ${dataDir} is in use by another Provisio process (pid ${holder.pid}, since ${holder.since}). ` +
            'Stop that process or set PROVISIO_DATA_DIR to another directory.',
        );
      }
      if (holder && holder.host !== os.hostname()) {
        throw new DataDirLockedError(
          `Data directory ${dataDir} is locked by host ${holder.host} (pid ${holder.pid}); remove ${lockPath} only if that host no longer uses it.`,
        );
      }
      // The holder is dead: remove its stale lock and try once more (O_EXCL still arbitrates races).
      fs.rmSync(lockPath, { force: true });
    }
  }
  throw new DataDirLockedError(`Could not lock data directory ${dataDir}: another process took it first.`);
}

interface LockHolder {
  pid: number;
  host: string;
  since: string;
}

function readHolder(lockPath: string): LockHolder | undefined {
  try {
    const parsed = JSON.parse(fs.readFileSync(lockPath, 'utf8')) as Partial<LockHolder>;
    if (typeof parsed.pid === 'number' && typeof parsed.host === 'string') {
      return { pid: parsed.pid, host: parsed.host, since: String(parsed.since ?? 'unknown') };
    }
  } catch {
    // Unreadable or half-written lock: treat as stale.
  }
  return undefined;
}

function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
