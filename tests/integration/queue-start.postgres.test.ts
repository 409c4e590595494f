// Replicas that start together on a fresh PostgreSQL database all get a working queue. pg-boss creates its schema
// and each queue's table on first start; three processes doing that at the same moment made PostgreSQL abort one
// of them with "deadlock detected" (seen in tests/e2e/replicas.spec.ts: that replica's worker never started).
import { afterAll, describe, expect, it } from "vitest";
import type PgBoss from "pg-boss";
import { usePortalDatabase } from "../support/portal-database";

usePortalDatabase("postgres");
const clients: PgBoss[] = [];

afterAll(async () => {
  await Promise.all(clients.map((c) => c.stop({ graceful: false, wait: true })));
});

describe("queue start-up on a fresh database", () => {
  it("four processes opening the queue at once each get a started queue with every queue created", async () => {
    const { openQueue, QUEUES } = await import("@/lib/queue");
    const results = await Promise.allSettled([0, 1, 2, 3].map(() => openQueue(true)));
    for (const r of results) if (r.status === "fulfilled") clients.push(r.value);
    expect(
      results.map((r) => (r.status === "rejected" ? String((r.reason as Error)?.message ?? r.reason) : "started")),
    ).toEqual(["started", "started", "started", "started"]);
    const queues = await clients[0]!.getQueues();
    expect(queues.map((q) => q.name)).toEqual(expect.arrayContaining(Object.values(QUEUES)));
  });
});
