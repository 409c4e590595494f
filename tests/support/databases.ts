// Fresh, throw-away databases of both kinds the app supports, so integration tests run against the
// embedded PGlite and a real PostgreSQL server alike. The server is TEST_DATABASE_URL, which `npm test`
// (scripts/with-test-postgres.ts) sets to a server that answers, starting an embedded one when none does. A
// server that does not answer fails the test run loudly: skipping would let a PostgreSQL-only bug through.

import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { hostOf, testDatabaseUrl } from "../../scripts/postgres/test-url";

export type TestDatabaseKind = "pglite" | "postgres";

export type TestDatabase = {
  name: TestDatabaseKind;
  /** A DATABASE_URL for it (`pglite:<folder>` or `postgresql://...`). */
  url: string;
  drop(): Promise<void>;
};

export const testDatabaseKinds = ["pglite", "postgres"] as const satisfies readonly TestDatabaseKind[];

const serverUrl = () => testDatabaseUrl();

// An administrative connection to the server's maintenance database, for CREATE/DROP DATABASE.
export async function withAdminClient<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl(), connectionTimeoutMillis: 5_000 });
  client.on("error", () => {});
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => {});
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `The PostgreSQL test server at ${hostOf(serverUrl())} does not answer (${reason}). Run the tests through ` +
        "`npm test`, `npm run test:unit` or `npm run test:e2e` (they start an embedded PostgreSQL when no server " +
        "answers), or point TEST_DATABASE_URL at a server.",
      { cause: error },
    );
  }
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function createPgliteDatabase(): Promise<TestDatabase> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "top-test-pglite-"));
  return {
    name: "pglite",
    url: `pglite:${dataDir}`,
    drop: () => rm(dataDir, { recursive: true, force: true }),
  };
}

/** A new PostgreSQL database, empty or a copy of `template` (tests/support/migrated-databases.ts). */
async function createPostgresDatabase(template?: string): Promise<TestDatabase> {
  const database = `top_test_${randomBytes(6).toString("hex")}`;
  const create = `CREATE DATABASE ${database}${template ? ` TEMPLATE ${template}` : ""}`;
  // Copies of one template at the same moment are fine; a connection to the template is not (55006), and none is
  // opened to it once built. Retried a few times regardless.
  for (let attempt = 1; ; attempt++) {
    try {
      await withAdminClient((client) => client.query(create));
      break;
    } catch (error) {
      if (!template || (error as { code?: string }).code !== "55006" || attempt >= 10) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
    }
  }
  const url = new URL(serverUrl());
  url.pathname = `/${database}`;
  return {
    name: "postgres",
    url: url.toString(),
    // FORCE ends connections a failing test may have left open (PostgreSQL 13+).
    drop: () =>
      withAdminClient((client) => client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`)).then(() => {}),
  };
}

export async function createTestDatabase(
  kind: TestDatabaseKind,
  { template }: { template?: string } = {},
): Promise<TestDatabase> {
  return kind === "pglite" ? createPgliteDatabase() : createPostgresDatabase(template);
}
