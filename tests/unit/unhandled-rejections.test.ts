// The suite's setup fails the test during which a promise was rejected with no handler (issue 19 item 16), so
// such a race is reported by name as a failed test in its file, not as a stray error under passing tests.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { expect, it } from "vitest";

it("fails the test during which a rejection found no handler, naming it", () => {
  const vitest = path.join(process.cwd(), "node_modules", ".bin", "vitest");
  const run = spawnSync(vitest, ["run", "--config", "tests/support/fixtures/vitest.fixture.config.ts"], {
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" },
    timeout: 60_000,
  });
  const output = `${run.stdout}${run.stderr}`;
  expect(run.status, output).not.toBe(0);
  expect(output).toMatch(/Tests\s+1 failed \| 1 passed/);
  expect(output).toContain("handles a rejection only after a pause");
  expect(output).toContain(
    "1 promise(s) rejected with no handler attached during this test: Error: rejected before anyone listened",
  );
});
