// What the marketplace adds to the sign-in journey (issue 22): the landing page resolves the purchase token and,
// after sign-in, the subscription is activated. Counts the Fulfillment API round trips each step sends (aim: at most
// 2 in all) and the Entra token requests (the publisher's token, cached for its hour), from the portal's outbound
// meter and from the emulator's request log; then the time each step adds with an injected latency L per request.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { startEmulator, demoScenario, testCredentials, DEMO_IDS } from "@tenant-onboarding/emulator";
import { applyMigrations } from "../db/migrations";
import { parseDatabaseUrl } from "../../lib/db/url";

const LATENCY_MS = 100;

export async function run(): Promise<void> {
  const emulator = await startEmulator({ scenario: demoScenario({ credentials: testCredentials() }) });
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "bench-marketplace-"));
  try {
    const databaseUrl = `pglite:${dataDir}`;
    await applyMigrations(parseDatabaseUrl(databaseUrl));
    Object.assign(process.env, {
      PORTAL_MODE: "demo",
      DATABASE_URL: databaseUrl,
      ENTRA_AUTHORITY_HOST: emulator.authorityHost,
      ENTRA_CLIENT_ID: DEMO_IDS.clientId,
      ENTRA_CLIENT_SECRET: testCredentials().secret.value,
      ENTRA_HOME_TENANT_ID: DEMO_IDS.tenants.northwind,
      MARKETPLACE_API_URL: emulator.marketplaceApiUrl,
    });
    const { db } = await import("../../lib/db/client");
    const { withRequestMeter } = await import("../../lib/http/outbound");
    const { landFromMarketplace, activateAfterSignIn } = await import("../../lib/subscriptions/purchase");

    const tenantId = DEMO_IDS.tenants.contoso;
    await db().tenant.create({ data: { id: tenantId } });
    const session = {
      id: randomUUID(),
      kind: "customer" as const,
      entraTenantId: tenantId,
      tenantId,
      userObjectId: randomUUID(),
      userName: "bench",
      userPrincipalName: null,
      appRoles: [],
      tenantAdmin: true,
      authenticatedAt: new Date(),
      expiresAt: new Date(Date.now() + 3_600_000),
    };
    const journey = async (latency: number) => {
      emulator.admin.setFaults({ latencyMs: latency });
      const bought = emulator.admin.marketplace.purchase({
        planId: "professional",
        quantity: 10,
        tenant: "Contoso",
        user: "megan",
      });
      emulator.admin.clearRequestLog();
      let started = performance.now();
      const landing = await withRequestMeter(() => landFromMarketplace(bought.token));
      const landingMs = performance.now() - started;
      if (landing.result.kind !== "purchase") throw new Error(`landing: ${landing.result.kind}`);
      const reference = landing.result.purchase.reference;
      started = performance.now();
      const activation = await withRequestMeter(() => activateAfterSignIn(session, reference));
      const activationMs = performance.now() - started;
      if (activation.result.kind !== "activated") throw new Error(`activation: ${activation.result.kind}`);
      const refresh = await withRequestMeter(() => landFromMarketplace(bought.token));
      const again = await withRequestMeter(() => activateAfterSignIn(session, reference));
      const fulfillment = emulator.requestLog().filter((e) => e.kind === "marketplace").length;
      return {
        landing: landing.meter,
        activation: activation.meter,
        refresh: refresh.meter,
        again: again.meter,
        fulfillment,
        landingMs,
        activationMs,
      };
    };

    const cold = await journey(0);
    const warm = await journey(0);
    const slowRuns = [await journey(LATENCY_MS), await journey(LATENCY_MS), await journey(LATENCY_MS)];
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[1]!;
    const slow = {
      ...slowRuns[0]!,
      landingMs: median(slowRuns.map((r) => r.landingMs)),
      activationMs: median(slowRuns.map((r) => r.activationMs)),
    };
    const trips = (m: { marketplace: number }) => m.marketplace;
    console.log("Fulfillment API round trips added to the sign-in journey (aim: at most 2)");
    console.log(`  landing page (resolve):      ${trips(warm.landing)}`);
    console.log(`  after sign-in (activate):    ${trips(warm.activation)}`);
    console.log(
      `  total:                       ${trips(warm.landing) + trips(warm.activation)}   (emulator's log: ${warm.fulfillment - trips(warm.refresh) - trips(warm.again)})`,
    );
    console.log(
      `  a refresh of the landing page: ${trips(warm.refresh)} (resolve again, nothing changes); activation again: ${trips(warm.again)}`,
    );
    console.log(
      `Entra token requests for the publisher's token: cold ${cold.landing.entra + cold.activation.entra}, warm ${warm.landing.entra + warm.activation.entra} (cached for its hour)`,
    );
    console.log(
      `  (requests during the timed journey: landing ${slow.landing.marketplace} + ${slow.landing.entra} Entra, activation ${slow.activation.marketplace} + ${slow.activation.entra} Entra)`,
    );
    console.log(
      `With ${LATENCY_MS} ms injected per request (median of 3; the rest is the portal's own database writes): landing ${Math.round(slow.landingMs)} ms (${(slow.landingMs / LATENCY_MS).toFixed(2)}×L), activation ${Math.round(slow.activationMs)} ms (${(slow.activationMs / LATENCY_MS).toFixed(2)}×L)`,
    );
    await db().$disconnect();
  } finally {
    await emulator.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}
