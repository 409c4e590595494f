// postmaster.pid in a data folder says a server runs there (line 1: its pid, line 4: its port). A run that was
// killed leaves the file behind; PostgreSQL then starts anyway unless the pid now belongs to another process
// (common in containers, where pids are reused), in which case it refuses. We tell the cases apart first.
import { existsSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";

export type LockState =
  { kind: "none" } | { kind: "running"; pid: number; port: number } | { kind: "stale"; pid: number };

export function parseLockFile(text: string): { pid: number; port: number } | undefined {
  const lines = text.split("\n");
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  return Number.isInteger(pid) && pid > 0 ? { pid, port: Number.isInteger(port) ? port : 0 } : undefined;
}

export function lockState(text: string | undefined, isPostgres: (pid: number) => boolean): LockState {
  if (text === undefined) return { kind: "none" };
  const lock = parseLockFile(text);
  if (!lock) return { kind: "stale", pid: 0 };
  return isPostgres(lock.pid) ? { kind: "running", ...lock } : { kind: "stale", pid: lock.pid };
}

/** Whether pid is a live PostgreSQL process (on Linux by its name; elsewhere: any live process). */
export function isPostgresProcess(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  if (existsSync("/proc/self/stat")) {
    try {
      // "<pid> (<name>) <state> ...": a zombie (Z) is a dead server whose parent has not reaped it yet.
      const match = /^\d+ \((.*)\) (\S)/.exec(readFileSync(`/proc/${pid}/stat`, "utf8"));
      return !!match && match[1]!.startsWith("postgres") && match[2] !== "Z";
    } catch {
      return false;
    }
  }
  return true;
}

export function readLockState(dataDir: string): LockState {
  const file = path.join(dataDir, "postmaster.pid");
  let text: string | undefined;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    text = undefined;
  }
  return lockState(text, isPostgresProcess);
}

export function removeStaleLock(dataDir: string) {
  rmSync(path.join(dataDir, "postmaster.pid"), { force: true });
}
