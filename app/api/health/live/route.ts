// GET /api/health/live: the process answers (a liveness probe: restart the container when this fails). Touches
// nothing else, so a database outage never gets healthy replicas restarted (docs/operations.md "Health probes").
export const dynamic = "force-dynamic";

export function GET() {
  return Response.json(
    { status: "ok", uptimeSeconds: Math.round(process.uptime()) },
    { headers: { "Cache-Control": "no-store" } },
  );
}
