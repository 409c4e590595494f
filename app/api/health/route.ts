import { NextResponse } from "next/server";
import { config } from "@/lib/config";
import { probeDatabase } from "@/lib/health";

export const dynamic = "force-dynamic";

export async function GET() {
  const database = await probeDatabase();
  const healthy = database.reachable;
  return NextResponse.json(
    { status: healthy ? "ok" : "unavailable", mode: config().mode, database },
    { status: healthy ? 200 : 503, headers: { "Cache-Control": "no-store" } },
  );
}
