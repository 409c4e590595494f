// Vitest setup (vitest.config.ts setupFiles): a promise rejected with no handler fails the test that was running
// (or the file, after its last test), by name, instead of only adding an "Unhandled Rejection" error to the summary
// under a file and tests that show as passed (issue 19 item 16: CI exited 1 on one nobody could place).
import { afterAll, afterEach } from "vitest";

type Holder = { portalUnhandledRejections?: unknown[] };
const holder = globalThis as Holder;
// One listener per process, whatever the number of files that load this setup in it.
if (!holder.portalUnhandledRejections) {
  const seen: unknown[] = [];
  holder.portalUnhandledRejections = seen;
  process.on("unhandledRejection", (reason) => {
    seen.push(reason);
  });
}
const seen = holder.portalUnhandledRejections;

function failOnUnhandled(when: string) {
  if (seen.length === 0) return;
  const reasons = seen.splice(0).map((r) => (r instanceof Error ? `${r.name}: ${r.message}` : String(r)));
  throw new Error(
    `${reasons.length} promise(s) rejected with no handler attached ${when}: ${reasons.join("; ")}. Attach the handler where the promise is made ` +
      "(await it, .catch/.then(ok, fail), expect(...).rejects, Promise.all) before awaiting anything else.",
  );
}

afterEach(() => failOnUnhandled("during this test"));
afterAll(() => failOnUnhandled("after this file's last test"));
