import { mkdir, rename, rm, stat } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import path from "node:path";

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}

/**
 * Creates `dir` once, atomically: the files are written into a temporary sibling directory which is
 * then renamed into place. When two processes race (parallel test workers), the loser's rename
 * fails because the target exists, and it uses the winner's files. Files that belong together
 * (a certificate and its key) can therefore never be mismatched.
 */
export async function createOnce(dir: string, populate: (tmpDir: string) => Promise<void>): Promise<void> {
  if (await exists(dir)) return;
  await mkdir(path.dirname(dir), { recursive: true });
  const tmp = `${dir}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
  await mkdir(tmp, { recursive: true });
  try {
    await populate(tmp);
    await rename(tmp, dir);
  } catch (error) {
    await rm(tmp, { recursive: true, force: true });
    if (await exists(dir)) return; // another process won the race
    throw error;
  }
}
