// GET /api/health/ready: this replica can serve (a readiness probe: take it out of the load balancer while this is
// 503): the database answers, its migrations are current, and the queue's worker runs where this process runs it.
import { NextResponse } from "next/server";
import { readiness } from "@/lib/health";

export const dynamic = "force-dynamic";

export async function GET() {
  const r = await readiness();
  return NextResponse.json(
    { status: r.ready ? "ready" : "unavailable", database: r.database, migrations: r.migrations, queue: r.queue },
    { status: r.ready ? 200 : 503, headers: { "Cache-Control": "no-store" } },
  );
}
