// `npm run db:migrate`: applies prisma/migrations to DATABASE_URL (default: the embedded PGlite folder
// .data/pglite), recording them in `_prisma_migrations` as `prisma migrate deploy` would. The CLI's own
// command needs a native engine that cannot be downloaded here (docs/architecture.md "Offline Prisma tooling").

import path from "node:path";
import { fileURLToPath } from "node:url";
import { applyMigrations } from "./db/migrations";
import { DEFAULT_EMBEDDED_DATABASE_URL, DatabaseUrlError, parseDatabaseUrl } from "../lib/db/url";
import type { DatabaseTarget } from "../lib/db/url";

const migrationsDir = path.join(fileURLToPath(new URL("..", import.meta.url)), "prisma/migrations");

async function main(): Promise<number> {
  // Empty counts as unset, as in the app's config module.
  const raw = process.env.DATABASE_URL?.trim() || DEFAULT_EMBEDDED_DATABASE_URL;
  let target: DatabaseTarget;
  try {
    target = parseDatabaseUrl(raw);
  } catch (error) {
    if (error instanceof DatabaseUrlError) {
      console.error(`db:migrate: DATABASE_URL ${error.message}`);
      return 1;
    }
    throw error;
  }
  if (target.kind === "pglite" && target.dataDir === null) {
    console.error("db:migrate: DATABASE_URL=pglite:memory would be discarded when this script exits; name a folder.");
    return 1;
  }

  const started = Date.now();
  let result: Awaited<ReturnType<typeof applyMigrations>>;
  try {
    result = await applyMigrations(target, { migrationsDir, log: (line) => console.log(line) });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    console.error(`db:migrate failed on ${target.display}: ${message.split("\n")[0]}`);
    return 1;
  }
  const { applied, alreadyApplied } = result;
  const took = `${((Date.now() - started) / 1000).toFixed(1)} s`;
  if (applied.length === 0) {
    console.log(`No pending migrations on ${target.display} (${alreadyApplied.length} applied, ${took}).`);
  } else {
    console.log(`Applied ${applied.length} migration(s) to ${target.display} in ${took}: ${applied.join(", ")}`);
  }
  return 0;
}

// Explicit exit: an open PGlite keeps the event loop alive (docs/architecture.md "Offline Prisma tooling").
main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    console.error(`db:migrate failed: ${message.split("\n")[0]}`);
    process.exit(1);
  },
);
