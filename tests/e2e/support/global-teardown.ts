import { rmSync } from "node:fs";
import { E2E_WORKERS, stackOf } from "./env";

export default function globalTeardown() {
  if (!process.env.E2E_DATABASE_DIR) return;
  for (let index = 0; index < E2E_WORKERS; index++) {
    const dir = stackOf(index).databaseDir;
    for (const folder of [dir, `${dir}-single`, `${dir}-certificate`]) rmSync(folder, { recursive: true, force: true });
  }
}
