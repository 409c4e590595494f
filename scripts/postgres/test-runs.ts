// The throw-away servers of test runs: one temp folder each (portal-test-postgres-*), holding the data
// folder and runner.pid, the pid of the process that owns it. A run killed outright (SIGKILL, a closed CI
// job) cannot stop its server; the next run finds the folder, sees its owner gone, and cleans up.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, chmodSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { readLockState } from "./lock-file";

const PREFIX = "portal-test-postgres-";

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
};

export function createRunFolder(): { root: string; dataDir: string } {
  const root = mkdtempSync(path.join(os.tmpdir(), PREFIX));
  chmodSync(root, 0o755); // the server's account (under root) must reach the data folder inside
  writeFileSync(path.join(root, "runner.pid"), `${process.pid}\n`);
  return { root, dataDir: path.join(root, "data") };
}

/** Stops and removes servers whose run was killed; returns one line per folder cleaned. */
export async function reapKilledRuns(tmp = os.tmpdir()): Promise<string[]> {
  const lines: string[] = [];
  for (const name of readdirSync(tmp).filter((n) => n.startsWith(PREFIX))) {
    const root = path.join(tmp, name);
    let owner = 0;
    try {
      owner = Number(readFileSync(path.join(root, "runner.pid"), "utf8").trim());
    } catch {
      // no runner.pid: a folder that never got going, or not ours to judge; leave folders younger than a minute
    }
    if (owner && alive(owner)) continue; // a run in progress (perhaps another person's)
    const lock = readLockState(path.join(root, "data"));
    if (lock.kind === "running") {
      try {
        process.kill(lock.pid, "SIGQUIT");
      } catch {
        // gone meanwhile
      }
      for (let i = 0; i < 50 && alive(lock.pid); i++) await new Promise((r) => setTimeout(r, 100));
      if (alive(lock.pid)) process.kill(lock.pid, "SIGKILL");
    }
    rmSync(root, { recursive: true, force: true });
    lines.push(
      `removed ${root}, left by a test run that was killed${lock.kind === "running" ? ` (stopped its PostgreSQL, pid ${lock.pid})` : ""}`,
    );
  }
  return lines;
}
