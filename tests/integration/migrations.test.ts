// The offline migration tooling (scripts/db/migrations.ts, scripts/db-diff.ts) against both databases the app
// runs on: the embedded PGlite and a PostgreSQL server.

import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { cp, mkdtemp, readFile, rm, writeFile, mkdir, appendFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyMigrations, migrationStatus, readLocalMigrations, type MigrationRow } from "@/scripts/db/migrations";
import { openSqlSession, type SqlSession } from "@/scripts/db/raw-sql";
import { parseDatabaseUrl, type DatabaseTarget } from "@/lib/db/url";
import { createTestDatabase, testDatabaseKinds, type TestDatabase } from "@/tests/support/databases";

const root = fileURLToPath(new URL("../..", import.meta.url));
const migrationsDir = path.join(root, "prisma/migrations");

// The models of prisma/schema.prisma (no @@map in it, so table names are model names).
const MODEL_TABLES = [
  "AlertRecipient",
  "ApiRateWindow",
  "AuditEvent",
  "CheckStep",
  "ConnectionCheck",
  "ConsentRequest",
  "CredentialNotice",
  "DelegatedAuthorization",
  "Environment",
  "EnvironmentDiscovery",
  "EnvironmentSetup",
  "Invitation",
  "MailMessage",
  "MarketplaceOperation",
  "MarketplaceSubscription",
  "PortalSession",
  "RateLimitHit",
  "Tenant",
  "WebhookAttempt",
  "WebhookDelivery",
];

async function withSession<T>(target: DatabaseTarget, work: (session: SqlSession) => Promise<T>): Promise<T> {
  const session = await openSqlSession(target);
  try {
    return await work(session);
  } finally {
    await session.close();
  }
}

function historyRows(session: SqlSession): Promise<MigrationRow[]> {
  return session.query<MigrationRow>("SELECT * FROM _prisma_migrations ORDER BY started_at, migration_name");
}

// Everything a migration can change in the public schema, in a stable order.
async function schemaDump(session: SqlSession): Promise<Record<string, unknown[]>> {
  return {
    columns: await session.query(
      `SELECT table_name, column_name, data_type, udt_name, is_nullable, column_default, ordinal_position
         FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, ordinal_position`,
    ),
    indexes: await session.query(
      "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY tablename, indexname",
    ),
    constraints: await session.query(
      `SELECT c.conrelid::regclass::text AS table_name, c.conname, pg_get_constraintdef(c.oid) AS definition
         FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
        WHERE n.nspname = 'public' ORDER BY 1, 2`,
    ),
    enums: await session.query(
      `SELECT t.typname, e.enumlabel, e.enumsortorder
         FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid JOIN pg_namespace n ON n.oid = t.typnamespace
        WHERE n.nspname = 'public' ORDER BY t.typname, e.enumsortorder`,
    ),
  };
}

// A copy of the real migrations folder that a test may add to or edit.
async function scratchMigrationsDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "top-test-migrations-"));
  await cp(migrationsDir, dir, { recursive: true });
  return dir;
}

// The tests run alone and in any order: the file's database is migrated before them (the tests that read it, or
// change nothing in it, share it); the first run and the failing migration each have a fresh database of their own.
describe.each(testDatabaseKinds)("migrations on %s", (kind) => {
  let database: TestDatabase;
  let target: DatabaseTarget;
  const databases: TestDatabase[] = [];
  const scratchDirs: string[] = [];
  const freshDatabase = async () => {
    const fresh = await createTestDatabase(kind);
    databases.push(fresh);
    return parseDatabaseUrl(fresh.url);
  };

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    databases.push(database);
    target = parseDatabaseUrl(database.url);
    await applyMigrations(target, { migrationsDir });
  });

  afterAll(async () => {
    await Promise.all(databases.map((d) => d.drop()));
    await Promise.all(scratchDirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it("applies every migration to a fresh database", async () => {
    const target = await freshDatabase();
    const local = await readLocalMigrations(migrationsDir);
    expect(local.length).toBeGreaterThan(0);

    const result = await applyMigrations(target, { migrationsDir });

    expect(result).toEqual({ applied: local.map((m) => m.name), alreadyApplied: [] });
    const status = await migrationStatus(target, { migrationsDir });
    expect(status).toMatchObject({ pending: [], failed: [], modified: [], unknown: [] });
  });

  it("records each migration as Prisma does, with the SHA-256 of migration.sql as checksum", async () => {
    const local = await readLocalMigrations(migrationsDir);
    const rows = await withSession(target, historyRows);

    expect(rows.map((row) => row.migration_name)).toEqual(local.map((m) => m.name));
    for (const row of rows) {
      const file = await readFile(path.join(migrationsDir, row.migration_name, "migration.sql"));
      expect(row.checksum).toBe(createHash("sha256").update(file).digest("hex"));
      expect(row.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(row.finished_at!.getTime()).toBeGreaterThanOrEqual(row.started_at.getTime());
      expect(row.rolled_back_at).toBeNull();
      expect(row.logs).toBeNull();
      expect(row.applied_steps_count).toBe(1);
    }
  });

  it("creates the tables of schema.prisma", async () => {
    const tables = await withSession(target, (session) =>
      session.query<{ table_name: string }>(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
      ),
    );
    expect(tables.map((t) => t.table_name).sort()).toEqual([...MODEL_TABLES, "_prisma_migrations"].sort());
  });

  it("applies nothing the second time and changes nothing", async () => {
    const before = await withSession(target, async (s) => ({
      history: await historyRows(s),
      schema: await schemaDump(s),
    }));

    const result = await applyMigrations(target, { migrationsDir });

    const after = await withSession(target, async (s) => ({
      history: await historyRows(s),
      schema: await schemaDump(s),
    }));
    expect(result.applied).toEqual([]);
    expect(result.alreadyApplied).toEqual(before.history.map((row) => row.migration_name));
    expect(after).toEqual(before);
  });

  it("warns, and re-runs nothing, when an applied migration.sql was edited", async () => {
    const dir = await scratchMigrationsDir();
    scratchDirs.push(dir);
    const [first] = await readLocalMigrations(dir);
    await appendFile(path.join(dir, first!.name, "migration.sql"), "\n-- edited after it was applied\n");
    const lines: string[] = [];

    const result = await applyMigrations(target, { migrationsDir: dir, log: (line) => lines.push(line) });

    expect(result.applied).toEqual([]);
    expect(lines.join("\n")).toContain(`${first!.name} was modified after it was applied`);
    expect((await migrationStatus(target, { migrationsDir: dir })).modified).toEqual([first!.name]);
  });

  it("rolls a failing migration back, records it as failed, and then refuses to run until it is resolved", async () => {
    // Its own database: the failed migration stays in the history.
    const target = await freshDatabase();
    await applyMigrations(target, { migrationsDir });
    const dir = await scratchMigrationsDir();
    scratchDirs.push(dir);
    const broken = "29991231235959_broken";
    await mkdir(path.join(dir, broken));
    await writeFile(
      path.join(dir, broken, "migration.sql"),
      'CREATE TABLE "ShouldNotExist" ("id" INTEGER);\nSELECT 1 / 0;\n',
    );

    await expect(applyMigrations(target, { migrationsDir: dir })).rejects.toThrow(
      /Migration 29991231235959_broken failed and was rolled back: .*division by zero/,
    );

    const { row, leftover } = await withSession(target, async (session) => ({
      row: (await historyRows(session)).find((r) => r.migration_name === broken),
      leftover: await session.query("SELECT to_regclass('\"ShouldNotExist\"') IS NOT NULL AS exists"),
    }));
    expect(row).toMatchObject({ finished_at: null, rolled_back_at: null, applied_steps_count: 0 });
    expect(row?.logs).toContain("division by zero");
    expect(leftover).toEqual([{ exists: false }]);

    // Even the unchanged folder is refused while the failure stands (Prisma's P3009).
    await expect(applyMigrations(target, { migrationsDir })).rejects.toThrow(
      /Migration 29991231235959_broken \(started .*\) failed and was not rolled back.*migrate resolve --rolled-back 29991231235959_broken/,
    );
    expect((await migrationStatus(target, { migrationsDir })).failed).toEqual([broken]);

    // What `prisma migrate resolve --rolled-back` records; afterwards runs proceed again.
    await withSession(target, (session) =>
      session.query("UPDATE _prisma_migrations SET rolled_back_at = now() WHERE migration_name = $1", [broken]),
    );
    await expect(applyMigrations(target, { migrationsDir })).resolves.toMatchObject({ applied: [] });
  });
});

describe("npm run db:diff -- --check", () => {
  it("reports that prisma/schema.prisma and prisma/migrations are in sync", async () => {
    const tsx = path.join(root, "node_modules/tsx/dist/cli.mjs");
    const { stdout } = await promisify(execFile)(process.execPath, [tsx, "scripts/db-diff.ts", "--check"], {
      cwd: root,
      timeout: 90_000,
    });
    expect(stdout).toContain("Schema and migrations are in sync");
  }, 120_000);
});
