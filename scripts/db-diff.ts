// `npm run db:diff -- <name>`: writes prisma/migrations/<timestamp>_<name>/migration.sql with the SQL
// that brings the migrations up to prisma/schema.prisma, using Prisma's schema engine as WebAssembly
// (the CLI's `prisma migrate dev` needs a native engine this machine cannot download; docs/architecture.md "Offline Prisma tooling").
// `npm run db:diff -- --check`: exit 1 if the schema has changes that no migration contains (for CI).

import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { diffMigrationsToSchema, MIGRATION_LOCK_CONTENT, MIGRATION_LOCK_FILE } from "./db/schema-engine";

const root = fileURLToPath(new URL("..", import.meta.url));
const migrationsDir = path.join(root, "prisma/migrations");
const schemaPath = path.join(root, "prisma/schema.prisma");

const USAGE = "usage: npm run db:diff -- <migration-name> | --check";

// Prisma's own directory name: UTC timestamp, then the name slugified with underscores.
function migrationDirectoryName(name: string, now: Date): string {
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .slice(0, 200);
  if (!slug) throw new Error(`'${name}' is not a usable migration name (use letters, digits, '_').`);
  const stamp = now.toISOString().replace(/\D/g, "").slice(0, 14);
  return `${stamp}_${slug}`;
}

async function main(args: string[]): Promise<number> {
  const check = args.includes("--check");
  const names = args.filter((arg) => !arg.startsWith("--"));
  const unknownFlags = args.filter((arg) => arg.startsWith("--") && arg !== "--check");
  if (unknownFlags.length > 0 || names.length > 1 || (!check && names.length === 0) || (check && names.length > 0)) {
    console.error(USAGE);
    return 2;
  }

  const started = Date.now();
  const script = await diffMigrationsToSchema({ migrationsDir, schemaPath });
  const took = `${((Date.now() - started) / 1000).toFixed(1)} s`;
  if (script === null) {
    console.log(`Schema and migrations are in sync (${took}).`);
    return 0;
  }
  if (check) {
    console.error(
      `prisma/schema.prisma has changes that no migration contains; run \`npm run db:diff -- <name>\`:\n\n${script}`,
    );
    return 1;
  }

  const directory = migrationDirectoryName(names[0] ?? "", new Date());
  await mkdir(path.join(migrationsDir, directory), { recursive: true });
  await writeFile(path.join(migrationsDir, directory, "migration.sql"), script);
  await writeFile(path.join(migrationsDir, MIGRATION_LOCK_FILE), MIGRATION_LOCK_CONTENT);
  console.log(
    `Wrote prisma/migrations/${directory}/migration.sql (${took}). Review it, then run \`npm run db:migrate\`.`,
  );
  return 0;
}

// Explicit exit: PGlite and the wasm engine keep the event loop alive.
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`db:diff failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
