// A fresh, migrated test database in a fraction of the time it takes to migrate one: the migrations are applied
// once to a template, and each test gets a copy of it — a copy of the folder for PGlite, `CREATE DATABASE … TEMPLATE`
// for PostgreSQL. Applying every migration to a new PGlite costs 7–17 s on this 2-core machine, and 28 test files
// did it before their first test; a copy takes a fraction of a second.
//
// The template is named by a hash of what decides its contents (the migrations folder, the runner that applies it,
// PGlite's version): a changed migration gets a new template, never a stale one. It is kept between runs (a folder
// under the system's temporary directory, a database on the test server), built by whichever test process needs it
// first while the others wait (a lock directory; PostgreSQL's advisory lock), and marked ready only once migrated.
// Tests about migrating itself (tests/integration/migrations.test.ts) do not use it: they migrate for real.
import { createHash, randomBytes } from "node:crypto";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { cp, mkdir, rename, rm, rmdir, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { applyMigrations, DEFAULT_MIGRATIONS_DIR } from "../../scripts/db/migrations";
import { parseDatabaseUrl } from "../../lib/db/url";
import { testDatabaseUrl } from "../../scripts/postgres/test-url";
import { createTestDatabase, withAdminClient, type TestDatabase, type TestDatabaseKind } from "./databases";

const LOCK_WAIT_MS = 180_000;
// A lock older than this was left by a process that died while building: it is taken over.
const STALE_LOCK_MS = 240_000;

let key: string | undefined;
/** What the template's contents follow from: every migration, the runner, PGlite's version. */
function templateKey(): string {
  if (key) return key;
  const hash = createHash("sha256");
  for (const name of readdirSync(DEFAULT_MIGRATIONS_DIR).sort()) {
    const file = path.join(DEFAULT_MIGRATIONS_DIR, name, "migration.sql");
    if (existsSync(file)) hash.update(name).update(readFileSync(file));
  }
  hash.update(readFileSync(path.resolve(process.cwd(), "scripts/db/migrations.ts")));
  hash.update(readFileSync(path.resolve(process.cwd(), "node_modules/@electric-sql/pglite/package.json")));
  key = hash.digest("hex").slice(0, 16);
  return key;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The migrated PGlite folder, built by the first process that asks (mkdir of the lock is atomic). */
async function pgliteTemplate(): Promise<string> {
  const dir = path.join(os.tmpdir(), `top-test-template-pglite-${templateKey()}`);
  const ready = `${dir}.ready`;
  const lock = `${dir}.lock`;
  const deadline = Date.now() + LOCK_WAIT_MS;
  while (!existsSync(ready)) {
    try {
      await mkdir(lock);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const age =
        Date.now() -
        (await stat(lock).then(
          (s) => s.mtimeMs,
          () => Date.now(),
        ));
      if (age > STALE_LOCK_MS) await rmdir(lock).catch(() => {});
      else if (Date.now() > deadline)
        throw new Error(`the migrated PGlite template (${dir}) was not ready in time`, { cause: error });
      else await sleep(250);
      continue;
    }
    try {
      if (existsSync(ready)) break;
      const building = `${dir}.building-${process.pid}`;
      await rm(building, { recursive: true, force: true });
      await applyMigrations(parseDatabaseUrl(`pglite:${building}`));
      await rm(dir, { recursive: true, force: true });
      await rename(building, dir);
      await writeFile(ready, new Date().toISOString());
    } finally {
      await rmdir(lock).catch(() => {});
    }
  }
  return dir;
}

/** The migrated PostgreSQL template database, built under an advisory lock by the first process that asks. */
async function postgresTemplate(): Promise<string> {
  const name = `top_test_template_${templateKey()}`;
  const lockKey = Number.parseInt(templateKey().slice(0, 8), 16) | 0;
  return withAdminClient(async (client) => {
    const exists = async () =>
      ((await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name])).rowCount ?? 0) > 0;
    if (await exists()) return name;
    await client.query("SELECT pg_advisory_lock($1)", [lockKey]);
    try {
      if (await exists()) return name;
      // Built under another name and renamed when migrated: the template's name only ever means "ready".
      const building = `top_test_building_${randomBytes(6).toString("hex")}`;
      await client.query(`CREATE DATABASE ${building}`);
      const url = new URL(testDatabaseUrl());
      url.pathname = `/${building}`;
      try {
        await applyMigrations(parseDatabaseUrl(url.toString()));
        await client.query(`ALTER DATABASE ${building} RENAME TO ${name}`);
      } catch (error) {
        await client.query(`DROP DATABASE IF EXISTS ${building} WITH (FORCE)`);
        throw error;
      }
      return name;
    } finally {
      await client.query("SELECT pg_advisory_unlock($1)", [lockKey]);
    }
  });
}

/** A PGlite database at `dataDir` (a new or empty folder) with every migration applied: a copy of the template. */
export async function createMigratedPgliteAt(dataDir: string): Promise<void> {
  await cp(await pgliteTemplate(), dataDir, { recursive: true });
}

/** A new database of this kind with every migration applied, as `applyMigrations` on a fresh one would leave it. */
export async function createMigratedTestDatabase(kind: TestDatabaseKind): Promise<TestDatabase> {
  if (kind === "pglite") {
    const database = await createTestDatabase("pglite");
    await createMigratedPgliteAt(database.url.slice("pglite:".length));
    return database;
  }
  return createTestDatabase("postgres", { template: await postgresTemplate() });
}
