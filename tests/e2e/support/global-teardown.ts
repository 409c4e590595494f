import { rmSync } from "node:fs";

export default function globalTeardown() {
  const dir = process.env.E2E_DATABASE_DIR;
  if (!dir) return;
  for (const folder of [dir, `${dir}-single`, `${dir}-certificate`]) rmSync(folder, { recursive: true, force: true });
}
