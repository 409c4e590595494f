// Gives an integration test file the portal's own data layer (lib/db/client, lib/data/*) on a fresh, migrated
// database of the given kind (a copy of the migrated template: tests/support/migrated-databases.ts). The data layer
// reads DATABASE_URL once, so each test file uses one kind.
import { afterAll, beforeAll } from "vitest";
import type { TestDatabase, TestDatabaseKind } from "./databases";
import { createMigratedTestDatabase } from "./migrated-databases";
import { setTestEnv } from "./config";

export function usePortalDatabase(kind: TestDatabaseKind, extraEnv: Record<string, string> = {}) {
  let database: TestDatabase | undefined;
  beforeAll(async () => {
    database = await createMigratedTestDatabase(kind);
    setTestEnv({ PORTAL_MODE: "demo", DATABASE_URL: database.url, ...extraEnv });
  }, 120_000);
  afterAll(async () => {
    // Only a client that was made is disconnected: calling db() here would open a database just to close it,
    // racing the drop below (PGlite then fails on its removed folder).
    const opened = (globalThis as { portalPrisma?: { $disconnect(): Promise<void> } }).portalPrisma;
    if (opened) await opened.$disconnect();
    await database?.drop();
  }, 60_000);
}

/**
 * Every table of the portal's database emptied (the migrations' history kept), for a test whose assertions are
 * about the whole database — a list, a count — so that it sees only the data it sets up, in any order.
 */
export async function emptyPortalDatabase(): Promise<void> {
  const { db } = await import("@/lib/db/client");
  const tables = await db().$queryRawUnsafe<Array<{ tablename: string }>>(
    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> '_prisma_migrations'",
  );
  if (tables.length > 0)
    await db().$executeRawUnsafe(`TRUNCATE ${tables.map((t) => `"${t.tablename}"`).join(", ")} CASCADE`);
}
