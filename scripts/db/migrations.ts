// Applies prisma/migrations to a database and records them in `_prisma_migrations` exactly as Prisma's
// own `migrate deploy` does, so the history stays Prisma's: wherever the native schema engine can be
// downloaded, `prisma migrate deploy|status` read it as their own (docs/architecture.md "Offline Prisma
// tooling": Prisma's engine, run on databases migrated this way, reported nothing pending and no drift).
//
// No `import "server-only"`: scripts/db-migrate.ts and the tests import this module directly.

import { createHash, randomUUID } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { openSqlSession, type SqlSession } from "./raw-sql";
import type { DatabaseTarget } from "../../lib/db/url";

export const DEFAULT_MIGRATIONS_DIR = path.resolve(process.cwd(), "prisma/migrations");

/** Prisma's DDL for its history table on PostgreSQL, byte for byte (from the schema engine 7.10.0). */
export const PRISMA_MIGRATIONS_TABLE_DDL = `CREATE TABLE _prisma_migrations (
    id                      VARCHAR(36) PRIMARY KEY NOT NULL,
    checksum                VARCHAR(64) NOT NULL,
    finished_at             TIMESTAMPTZ,
    migration_name          VARCHAR(255) NOT NULL,
    logs                    TEXT,
    rolled_back_at          TIMESTAMPTZ,
    started_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    applied_steps_count     INTEGER NOT NULL DEFAULT 0
);
`;

/** The key of Prisma's session advisory lock, so our runner and Prisma's never migrate at the same time. */
export const PRISMA_ADVISORY_LOCK_KEY = 72707369;
// Prisma gives up after 10 s too.
const LOCK_TIMEOUT_MS = 10_000;

export class MigrationError extends Error {}

export type LocalMigration = { name: string; script: string; checksum: string };

export type MigrationRow = {
  id: string;
  checksum: string;
  finished_at: Date | null;
  migration_name: string;
  logs: string | null;
  rolled_back_at: Date | null;
  started_at: Date;
  applied_steps_count: number;
};

export type MigrationOptions = {
  migrationsDir?: string;
  log?: (line: string) => void;
};

/** Prisma's checksum: the SHA-256 of migration.sql, lowercase hex. */
export function migrationChecksum(script: string): string {
  return createHash("sha256").update(script, "utf8").digest("hex");
}

// Prisma also accepts a file whose line endings were converted by git (CRLF <-> LF) as unchanged.
function checksumMatches(script: string, checksum: string): boolean {
  const lf = script.replace(/\r\n/g, "\n");
  return [script, lf, lf.replace(/\n/g, "\r\n")].some((variant) => migrationChecksum(variant) === checksum);
}

/** The migrations folder, in Prisma's order (directory names compared with localeCompare). */
export async function readLocalMigrations(migrationsDir: string = DEFAULT_MIGRATIONS_DIR): Promise<LocalMigration[]> {
  let entries;
  try {
    entries = await readdir(migrationsDir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  const names = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort((a, b) => a.localeCompare(b));
  const migrations: LocalMigration[] = [];
  for (const name of names) {
    const file = path.join(migrationsDir, name, "migration.sql");
    let script: string;
    try {
      script = await readFile(file, "utf8");
    } catch {
      throw new MigrationError(`Migration ${name} has no readable migration.sql (${file}).`);
    }
    migrations.push({ name, script, checksum: migrationChecksum(script) });
  }
  return migrations;
}

async function historyTableExists(session: SqlSession): Promise<boolean> {
  // Resolved through search_path, like Prisma's unqualified table name.
  const rows = await session.query<{ exists: boolean }>(
    "SELECT to_regclass('_prisma_migrations') IS NOT NULL AS exists",
  );
  return rows[0]?.exists === true;
}

async function readHistory(session: SqlSession): Promise<MigrationRow[]> {
  return session.query<MigrationRow>(
    `SELECT id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count
       FROM _prisma_migrations ORDER BY started_at ASC`,
  );
}

// Prisma's notion: a migration that started, did not finish and was not marked rolled back.
function isFailed(row: MigrationRow): boolean {
  return row.finished_at === null && row.rolled_back_at === null;
}

function isApplied(row: MigrationRow): boolean {
  return row.finished_at !== null && row.rolled_back_at === null;
}

function failedMigrationMessage(row: MigrationRow): string {
  const name = row.migration_name;
  return (
    `Migration ${name} (started ${row.started_at.toISOString()}) failed and was not rolled back, so no ` +
    `further migrations are applied. Repair the database by hand, then record the outcome: ` +
    `\`prisma migrate resolve --rolled-back ${name}\` (or --applied), or in SQL ` +
    `UPDATE _prisma_migrations SET rolled_back_at = now() WHERE migration_name = '${name}' AND finished_at IS NULL; ` +
    `see https://pris.ly/d/migrate-resolve.` +
    (row.logs ? ` Its error: ${row.logs.split("\n").filter(Boolean).join(" ")}` : "")
  );
}

async function withAdvisoryLock<T>(session: SqlSession, work: () => Promise<T>): Promise<T> {
  // PGlite is a single in-process connection: nothing else can migrate it concurrently.
  if (session.kind === "pglite") return work();
  const deadline = Date.now() + LOCK_TIMEOUT_MS;
  for (;;) {
    const rows = await session.query<{ locked: boolean }>("SELECT pg_try_advisory_lock($1) AS locked", [
      PRISMA_ADVISORY_LOCK_KEY,
    ]);
    if (rows[0]?.locked === true) break;
    if (Date.now() > deadline) {
      throw new MigrationError(
        `Another migration run holds the advisory lock ${PRISMA_ADVISORY_LOCK_KEY} (waited ${LOCK_TIMEOUT_MS / 1000} s).`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  try {
    return await work();
  } finally {
    await session.query("SELECT pg_advisory_unlock($1)", [PRISMA_ADVISORY_LOCK_KEY]).catch(() => {});
  }
}

function describeDatabaseError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return `${typeof code === "string" ? `Database error code: ${code}\n\n` : ""}Database error:\n${error.message}`;
  }
  return String(error);
}

async function applyOne(session: SqlSession, migration: LocalMigration): Promise<void> {
  const id = randomUUID();
  // Recorded before the script runs and outside its transaction, as Prisma does: if the process dies or the
  // script fails, the unfinished row is what blocks later runs until someone resolves it.
  await session.query(
    `INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at, applied_steps_count)
     VALUES ($1, $2, $3, now(), 0)`,
    [id, migration.checksum, migration.name],
  );
  try {
    await session.exec("BEGIN");
    await session.exec(migration.script);
    await session.exec("COMMIT");
  } catch (error) {
    await session.exec("ROLLBACK").catch(() => {});
    const logs = describeDatabaseError(error);
    await session.query("UPDATE _prisma_migrations SET logs = $2 WHERE id = $1", [id, logs]);
    throw new MigrationError(
      `Migration ${migration.name} failed and was rolled back: ${logs.split("\n").filter(Boolean).join(" ")}`,
    );
  }
  // Prisma counts one step per migration script and stamps finished_at once the script has committed.
  await session.query(
    "UPDATE _prisma_migrations SET applied_steps_count = applied_steps_count + 1, finished_at = now() WHERE id = $1",
    [id],
  );
}

async function withSession<T>(
  target: DatabaseTarget | SqlSession,
  work: (session: SqlSession) => Promise<T>,
): Promise<T> {
  if ("query" in target) return work(target);
  const session = await openSqlSession(target);
  try {
    return await work(session);
  } finally {
    await session.close();
  }
}

/**
 * Applies every migration in the folder that the database has not applied, each in its own transaction,
 * in order. Idempotent. Refuses to run while a failed migration is recorded. Accepts an open session too
 * (e.g. an in-memory PGlite that must stay open), which it leaves open.
 */
export async function applyMigrations(
  target: DatabaseTarget | SqlSession,
  opts: MigrationOptions = {},
): Promise<{ applied: string[]; alreadyApplied: string[] }> {
  const log = opts.log ?? (() => {});
  const local = await readLocalMigrations(opts.migrationsDir);
  return withSession(target, (session) =>
    withAdvisoryLock(session, async () => {
      if (!(await historyTableExists(session))) await session.exec(PRISMA_MIGRATIONS_TABLE_DDL);
      const history = await readHistory(session);

      const failed = history.find(isFailed);
      if (failed) throw new MigrationError(failedMigrationMessage(failed));

      const appliedRows = new Map(history.filter(isApplied).map((row) => [row.migration_name, row]));
      const localNames = new Set(local.map((migration) => migration.name));
      for (const name of appliedRows.keys()) {
        if (!localNames.has(name))
          log(`warning: ${name} is applied to the database but missing from the migrations folder`);
      }

      const applied: string[] = [];
      const alreadyApplied: string[] = [];
      for (const migration of local) {
        const row = appliedRows.get(migration.name);
        if (row) {
          if (!checksumMatches(migration.script, row.checksum)) {
            log(`warning: ${migration.name} was modified after it was applied (checksum differs); it is not re-run`);
          }
          alreadyApplied.push(migration.name);
          continue;
        }
        log(`applying ${migration.name}`);
        await applyOne(session, migration);
        applied.push(migration.name);
      }
      return { applied, alreadyApplied };
    }),
  );
}

export type MigrationStatus = {
  applied: string[];
  pending: string[];
  /** Started but neither finished nor rolled back: blocks applyMigrations. */
  failed: string[];
  /** Applied, but migration.sql changed since. */
  modified: string[];
  /** Applied to the database but absent from the migrations folder. */
  unknown: string[];
};

/** Read-only comparison of the folder with the database's history (creates nothing). */
export async function migrationStatus(
  target: DatabaseTarget | SqlSession,
  opts: Pick<MigrationOptions, "migrationsDir"> = {},
): Promise<MigrationStatus> {
  const local = await readLocalMigrations(opts.migrationsDir);
  return withSession(target, async (session) => {
    const history = (await historyTableExists(session)) ? await readHistory(session) : [];
    const appliedRows = new Map(history.filter(isApplied).map((row) => [row.migration_name, row]));
    const localNames = new Set(local.map((migration) => migration.name));
    return {
      applied: local.filter((m) => appliedRows.has(m.name)).map((m) => m.name),
      pending: local.filter((m) => !appliedRows.has(m.name)).map((m) => m.name),
      failed: history.filter(isFailed).map((row) => row.migration_name),
      modified: local
        .filter((m) => {
          const row = appliedRows.get(m.name);
          return row !== undefined && !checksumMatches(m.script, row.checksum);
        })
        .map((m) => m.name),
      unknown: [...appliedRows.keys()].filter((name) => !localNames.has(name)),
    };
  });
}
