import { rmSync } from "node:fs";
import { E2E_WORKERS, stackOf } from "./env";

export default function globalTeardown() {
  if (!process.env.E2E_DATABASE_DIR) return;
  for (let index = 0; index < E2E_WORKERS; index++) {
    const { databaseDir, ownPortalDatabaseDirs } = stackOf(index);
    for (const folder of [databaseDir, ...Object.values(ownPortalDatabaseDirs)])
      rmSync(folder, { recursive: true, force: true });
  }
}
