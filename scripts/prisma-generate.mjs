// `prisma generate` without network: the CLI insists on downloading a native schema engine before it
// generates, although generating never runs it. Pointing PRISMA_SCHEMA_ENGINE_BINARY at an existing
// file skips that download (README "Working on it"). The query engine is WebAssembly (driver adapters).
import { spawnSync } from "node:child_process";

const result = spawnSync("npx", ["prisma", "generate"], {
  stdio: "inherit",
  env: {
    ...process.env,
    PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? process.execPath,
    PRISMA_HIDE_UPDATE_MESSAGE: "1",
    CHECKPOINT_DISABLE: "1",
  },
});
process.exit(result.status ?? 1);
