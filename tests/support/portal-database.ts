// Gives an integration test file the portal's own data layer (lib/db/client, lib/data/*) on a fresh, migrated
// database of the given kind. The data layer reads DATABASE_URL once, so each test file uses one kind.
import { afterAll, beforeAll } from "vitest";
import { applyMigrations } from "@/scripts/db/migrations";
import { parseDatabaseUrl } from "@/lib/db/url";
import { createTestDatabase, type TestDatabase, type TestDatabaseKind } from "./databases";

export function usePortalDatabase(kind: TestDatabaseKind, extraEnv: Record<string, string> = {}) {
  let database: TestDatabase | undefined;
  beforeAll(async () => {
    database = await createTestDatabase(kind);
    await applyMigrations(parseDatabaseUrl(database.url));
    process.env.PORTAL_MODE = "demo";
    process.env.DATABASE_URL = database.url;
    Object.assign(process.env, extraEnv);
  }, 120_000);
  afterAll(async () => {
    // Only a client that was made is disconnected: calling db() here would open a database just to close it,
    // racing the drop below (PGlite then fails on its removed folder).
    const opened = (globalThis as { portalPrisma?: { $disconnect(): Promise<void> } }).portalPrisma;
    if (opened) await opened.$disconnect();
    await database?.drop();
  }, 60_000);
}
