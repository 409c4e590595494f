// Prisma CLI configuration. The CLI's native schema engine cannot be downloaded on this machine, so
// migrations are diffed and applied by scripts/db-diff.ts and scripts/db-migrate.ts (WebAssembly engine);
// the layout stays Prisma's own, so `prisma migrate deploy` works wherever the engine is available.
import { defineConfig } from "prisma/config";

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  ...(process.env.DATABASE_URL?.startsWith("postgres") ? { datasource: { url: process.env.DATABASE_URL } } : {}),
});
