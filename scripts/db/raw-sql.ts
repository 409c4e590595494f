// A minimal SQL session over either database this project supports: the embedded PGlite or a PostgreSQL
// server through node-postgres. Used by the migration runner, the CLI scripts and the tests, which need
// plain SQL (multi-statement scripts, explicit transactions) rather than the Prisma client.
//
// No `import "server-only"`: CLI scripts (tsx) import this module directly.

import { mkdir } from "node:fs/promises";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { PGLITE_EXTENSIONS } from "../../lib/db/pglite-extensions";
import type { DatabaseTarget } from "../../lib/db/url";

export type SqlRow = Record<string, unknown>;

export interface SqlSession {
  readonly kind: "pglite" | "postgres";
  /** One statement, with `$1`-style parameters. */
  query<Row extends SqlRow = SqlRow>(sql: string, params?: readonly unknown[]): Promise<Row[]>;
  /** A script of any number of statements, no parameters (simple query protocol on both databases). */
  exec(script: string): Promise<void>;
  /** Closes the connection if this session opened it; a session over a borrowed connection leaves it open. */
  close(): Promise<void>;
}

/** A session over a PGlite instance. `owned` decides whether close() closes the instance. */
export function pgliteSession(db: PGlite, { owned }: { owned: boolean }): SqlSession {
  return {
    kind: "pglite",
    async query<Row extends SqlRow>(sql: string, params: readonly unknown[] = []) {
      const result = await db.query<Row>(sql, [...params]);
      return result.rows;
    },
    async exec(script) {
      await db.exec(script);
    },
    async close() {
      if (owned && !db.closed) await db.close();
    },
  };
}

/** A session over a connected node-postgres client. `owned` decides whether close() ends the client. */
export function postgresSession(client: pg.Client, { owned }: { owned: boolean }): SqlSession {
  return {
    kind: "postgres",
    async query<Row extends SqlRow>(sql: string, params: readonly unknown[] = []) {
      const result = await client.query<Row>(sql, [...params]);
      return result.rows;
    },
    async exec(script) {
      // Without parameters node-postgres uses the simple query protocol, which accepts many statements.
      await client.query(script);
    },
    async close() {
      if (owned) await client.end();
    },
  };
}

/**
 * Opens a new connection to the target. A PGlite folder is created if missing. Only one PGlite instance
 * may hold a folder at a time within a process (docs/architecture.md "Offline Prisma tooling"), so callers
 * must close() the session before anything else opens the same folder, and scripts must exit explicitly.
 */
export async function openSqlSession(target: DatabaseTarget): Promise<SqlSession> {
  if (target.kind === "pglite") {
    if (target.dataDir !== null) await mkdir(target.dataDir, { recursive: true });
    const db = await PGlite.create(target.dataDir ?? undefined, { extensions: PGLITE_EXTENSIONS });
    return pgliteSession(db, { owned: true });
  }
  const client = new pg.Client({ connectionString: target.url });
  // Without a listener, a dropped connection would crash the process with an unhandled 'error' event.
  client.on("error", () => {});
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => {});
    throw error;
  }
  return postgresSession(client, { owned: true });
}
