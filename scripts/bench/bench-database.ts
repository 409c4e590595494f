// A fresh database for one bench run, and how to remove it: an embedded (PGlite) folder of its own, or a database of
// its own on the test PostgreSQL server (TEST_DATABASE_URL, scripts/postgres/test-url.ts). A bench never measures on
// a database another run (or the test suite) is using.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { testDatabaseUrl } from "../postgres/test-url";

export type BenchDatabaseKind = "pglite" | "postgres";

/** One statement on the PostgreSQL server as its administrator (CREATE DATABASE cannot run in a transaction). */
export async function adminQuery(statement: string, serverUrl = testDatabaseUrl()): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/** A new, empty database of the kind asked for (`prefix` names it); `drop()` removes it. */
export async function benchDatabase(
  kind: BenchDatabaseKind,
  prefix: string,
): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  if (kind === "pglite") {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), `${prefix}-`));
    return { url: `pglite:${dataDir}`, name: dataDir, drop: () => rm(dataDir, { recursive: true, force: true }) };
  }
  const serverUrl = testDatabaseUrl();
  const name = `${prefix.replaceAll("-", "_")}_${randomBytes(4).toString("hex")}`;
  await adminQuery(`CREATE DATABASE ${name}`, serverUrl);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: () => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`, serverUrl),
  };
}

/** Runs `use` on a new database of the kind asked for, and removes the database after, whatever happened. */
export async function withBenchDatabase<T>(
  kind: BenchDatabaseKind,
  prefix: string,
  use: (url: string) => Promise<T>,
): Promise<T> {
  const database = await benchDatabase(kind, prefix);
  try {
    return await use(database.url);
  } finally {
    await database.drop();
  }
}
