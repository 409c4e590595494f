// GET /console/tenants.csv?<the list's filters>: every tenant the filters match (not only one page), as a CSV
// download. Signed out → sign-in; without the support role → 403; malformed filters → 400 naming them.
import { NextResponse, type NextRequest } from "next/server";
import { staffForRoute } from "@/lib/auth/route-guards";
import { recordTenantExport, staffActor } from "@/lib/data/support/activity";
import { csvLine } from "@/lib/data/support/csv";
import { parseTenantFilters } from "@/lib/data/support/tenant-filters";
import { countTenants, EXPORT_MAX_ROWS, exportTenants } from "@/lib/data/support/tenants";
import { currentSubscriptionOf } from "@/lib/subscriptions/vocabulary";

export const dynamic = "force-dynamic";

const HEADER = [
  "tenant_id",
  "name",
  "primary_domain",
  "customer_reference",
  "source",
  "source_tag",
  "consent_state",
  "consent_granted_at",
  "environments",
  "environment_urls",
  "latest_check_outcome",
  "latest_check_at",
  "latest_check_age_days",
  "failing_step",
  "health",
  "broken_since",
  "first_sign_in_at",
  "last_sign_in_at",
  "disconnected_at",
  "subscription_id",
  "subscription_plan",
  "subscription_quantity",
  "subscription_status",
];

export async function GET(request: NextRequest) {
  // A person following the Export link while signed out is sent to sign in, like every console page.
  const auth = await staffForRoute("operator", { signIn: request });
  if ("response" in auth) return auth.response;
  const parsed = parseTenantFilters(request.nextUrl.searchParams);
  if (!parsed.ok) return NextResponse.json({ error: "Invalid filters.", details: parsed.errors }, { status: 400 });
  const filters = parsed.filters;
  const now = new Date();
  const actor = staffActor(auth.session);

  // Recorded before the first byte leaves: an export the browser abandons still took data out.
  const total = await countTenants(filters, now);
  await recordTenantExport(actor, filters, Math.min(total, EXPORT_MAX_ROWS));

  const encoder = new TextEncoder();
  const batches = exportTenants(filters, now);
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      // A BOM so that Excel reads the file as UTF-8.
      controller.enqueue(encoder.encode(`\uFEFF${csvLine(HEADER)}`));
    },
    async pull(controller) {
      try {
        const next = await batches.next();
        if (next.done) {
          controller.close();
          return;
        }
        let chunk = "";
        for (const t of next.value) {
          const subscription = currentSubscriptionOf(t.subscriptions);
          chunk += csvLine([
            t.id,
            t.displayName,
            t.primaryDomain,
            t.customerReference,
            t.source,
            t.sourceTag,
            t.consentState,
            t.consentGrantedAt,
            t.environments.length,
            t.environments.map((e) => e.url).join(" "),
            t.latestCheckOutcome,
            t.latestCheckAt,
            t.latestCheckAt ? Math.floor((now.getTime() - t.latestCheckAt.getTime()) / 86_400_000) : null,
            t.latestCheckOutcome === "FAILED" ? t.latestFailingStep : null,
            t.health,
            t.brokenSince,
            t.firstSignInAt,
            t.lastSignInAt,
            t.disconnectedAt,
            subscription?.id,
            subscription?.planId,
            subscription?.quantity,
            subscription?.status,
          ]);
        }
        controller.enqueue(encoder.encode(chunk));
      } catch (error) {
        controller.error(error);
      }
    },
  });
  const stamp = now.toISOString().slice(0, 16).replace(/[-:]/g, "").replace("T", "-");
  return new Response(body, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="tenants-${stamp}.csv"`,
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
}
