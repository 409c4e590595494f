import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    alias: {
      "@": fileURLToPath(new URL(".", import.meta.url)),
      // `server-only` throws unless bundled for React Server Components; tests run lib/ code directly.
      "server-only": fileURLToPath(new URL("./tests/support/server-only-stub.ts", import.meta.url)),
    },
  },
  test: {
    include: ["tests/unit/**/*.test.ts", "tests/integration/**/*.test.ts", "tests/emulator/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    // Two files at a time, also on a 2-core machine (vitest's default there is one): each file has databases and an
    // emulator of its own, and half of a file's time is waiting on them. 475 s → 254 s for the whole suite here.
    maxWorkers: 2,
    // A promise rejected with no handler fails the test that was running, by name (tests/support/unhandled-rejections.ts).
    setupFiles: ["tests/support/unhandled-rejections.ts"],
    // Structured logs (lib/log.ts) of the code under test: warnings and errors only, to keep the output readable.
    env: { LOG_LEVEL: "warn" },
    reporters: ["default"],
  },
});
