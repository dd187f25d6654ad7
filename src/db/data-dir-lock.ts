import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { DataDirLockedError } from '../errors.ts';

// PGlite is one process's database: a second process opening the same files would corrupt them
// (DESIGN.md §3). A lock file with the owner's pid keeps a second process out; a lock left by a
// process that no longer exists is taken over.

export interface DataDirLock {
  release(): void;
}

export function lockDataDir(dataDir: string): DataDirLock {
  mkdirSync(dataDir, { recursive: true });
  const lockPath = join(dataDir, 'solodesk.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockPath, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          rmSync(lockPath, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number(readFileSync(lockPath, 'utf8').trim());
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isAlive(owner)) {
        throw new DataDirLockedError(dataDir, owner);
      }
      rmSync(lockPath, { force: true });
    }
  }
  throw new DataDirLockedError(dataDir, Number.NaN);
}

/**
 * Throws DataDirLockedError at once when a live process holds the folder, before anything heavy is
 * loaded (a command on a busy folder says so in a fraction of a second). Takes nothing: the
 * database's own lockDataDir is what keeps a second process out.
 */
export function assertDataDirFree(dataDir: string): void {
  let owner: number;
  try {
    owner = Number(readFileSync(join(dataDir, 'solodesk.lock'), 'utf8').trim());
  } catch {
    return;
  }
  if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isAlive(owner)) throw new DataDirLockedError(dataDir, owner);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
