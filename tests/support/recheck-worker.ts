// The queue's worker side in the test's own process, as `npm run worker` runs it: pg-boss (on the file's portal
// database), the mail worker and a scheduled re-verification worker. Started by a file's beforeAll once its
// configuration is set; stopped with the queue after the file.
import { afterAll } from "vitest";
import type { RecheckWorker } from "@/lib/recheck";

const LIMITS = { recheckIntervalMinutes: 1, concurrency: 4, tenantConcurrency: 2, worker: "in-process" } as const;

export function useRecheckWorker() {
  const handle = {
    worker: undefined as RecheckWorker | undefined,
    /** Starts the queue, the mail worker and the re-check worker (polling every 100 ms). */
    async start(): Promise<RecheckWorker> {
      const { queue } = await import("@/lib/queue");
      const { RecheckWorker } = await import("@/lib/recheck");
      const { startMailWorker } = await import("@/lib/notifications");
      const boss = await queue({ worker: true });
      await startMailWorker(boss);
      handle.worker = new RecheckWorker(boss, LIMITS, 100);
      return handle.worker;
    },
  };
  afterAll(async () => {
    await handle.worker?.stop();
    const { stopQueue } = await import("@/lib/queue");
    await stopQueue();
  });
  return handle;
}
