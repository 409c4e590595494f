// A faked "granted" consent callback (issue 19 item 9): Microsoft's answer is only a claim, so the tenant waits in
// PENDING_VERIFICATION while the portal tries to prove it — and falls back to NOT_GRANTED, with the reason and an
// audit event, once CONSENT_VERIFICATION_TIMEOUT_MINUTES pass without proof. Against the emulated Entra ID, where
// Contoso has not consented.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  startEmulator,
  type EmulatorHandle,
  demoScenario,
  testCredentials,
  DEMO_IDS,
} from "@tenant-onboarding/emulator";
import { usePortalDatabase } from "../support/portal-database";
import { testCustomerScope } from "../support/customer-scope";
import { setTestEnv } from "../support/config";

const CONTOSO = DEMO_IDS.tenants.contoso;
const TIMEOUT_MINUTES = 20;
let emu: EmulatorHandle;

beforeAll(async () => {
  emu = await startEmulator({ scenario: demoScenario({ credentials: testCredentials() }) });
  setTestEnv({
    ENTRA_AUTHORITY_HOST: emu.authorityHost,
    ENTRA_CLIENT_ID: DEMO_IDS.clientId,
    ENTRA_CLIENT_SECRET: testCredentials().secret.value,
    ENTRA_HOME_TENANT_ID: DEMO_IDS.tenants.northwind,
    OUTBOUND_TIMEOUT_MS: "5000",
    CONSENT_VERIFICATION_TIMEOUT_MINUTES: String(TIMEOUT_MINUTES),
  });
}, 60_000);
usePortalDatabase("pglite");
afterAll(async () => {
  await emu?.close();
});

/** Signs Contoso's administrator in and brings a consent round trip back "granted", as a forged callback would. */
async function fakeGrantedCallback(tenantId: string) {
  const { startSession } = await import("@/lib/data/sessions");
  const { markConsentPending, redeemConsentState, startConsentRequest } = await import("@/lib/data/tenants");
  const sessionId = await startSession(
    {
      tenantId,
      objectId: "00000000-0000-4000-8000-0000000000aa",
      name: "Admin",
      userPrincipalName: "admin@contoso.onmicrosoft.com",
      kind: "customer",
      roles: [],
      tenantAdmin: true,
    },
    { source: "DIRECT", sourceTag: null, invitationId: null },
    3600,
  );
  const scope = await testCustomerScope(tenantId);
  const state = await startConsentRequest(scope, sessionId);
  const redeemed = await redeemConsentState(scope, sessionId, state);
  await markConsentPending(scope, redeemed!.requestId);
  return scope;
}

describe("an unproven 'granted' consent", () => {
  it("stays pending while its verification fails, then times out to NOT_GRANTED with the reason, audited once", async () => {
    const { db } = await import("@/lib/db/client");
    const { attemptConsentVerification, expireUnprovenConsents } = await import("@/lib/onboarding/consent");
    const scope = await fakeGrantedCallback(CONTOSO);
    const pending = await db().tenant.findUniqueOrThrow({
      where: { id: CONTOSO },
      select: { consentState: true, consentPendingSince: true },
    });
    expect(pending.consentState).toBe("PENDING_VERIFICATION");

    const attempt = await attemptConsentVerification(scope, 1, null);
    expect(attempt.verified).toBe(false);
    const cause = attempt.verified ? "" : attempt.explanation.cause;
    expect(
      await db().tenant.findUniqueOrThrow({
        where: { id: CONTOSO },
        select: { consentState: true, consentFailure: true },
      }),
    ).toEqual({
      consentState: "PENDING_VERIFICATION",
      consentFailure: cause,
    });

    // Within the timeout nothing changes, from the sweep or from the customer's own pages.
    const since = pending.consentPendingSince!.getTime();
    expect(await expireUnprovenConsents(undefined, new Date(since + (TIMEOUT_MINUTES - 1) * 60_000))).toEqual([]);
    expect(await expireUnprovenConsents(scope, new Date(since + (TIMEOUT_MINUTES - 1) * 60_000))).toEqual([]);

    const later = new Date(since + (TIMEOUT_MINUTES + 1) * 60_000);
    expect(await expireUnprovenConsents(undefined, later)).toEqual([CONTOSO]);
    const expired = await db().tenant.findUniqueOrThrow({
      where: { id: CONTOSO },
      select: { consentState: true, consentFailure: true, consentPendingSince: true },
    });
    expect(expired.consentState).toBe("NOT_GRANTED");
    expect(expired.consentPendingSince).toBeNull();
    expect(expired.consentFailure).toBe(
      `Microsoft's answer said consent was granted, but Northwind Sync could not prove it within ${TIMEOUT_MINUTES} minutes. The last check found: ${cause}`,
    );
    const events = await db().auditEvent.findMany({
      where: { tenantId: CONTOSO, action: "consent.verification_timed_out" },
      select: { actorKind: true, details: true },
    });
    expect(events).toEqual([
      {
        actorKind: "SYSTEM",
        details: {
          pendingSince: pending.consentPendingSince!.toISOString(),
          reason: expired.consentFailure,
          timeoutMinutes: TIMEOUT_MINUTES,
        },
      },
    ]);

    // Run again (another replica's sweep): nothing more happens.
    expect(await expireUnprovenConsents(undefined, later)).toEqual([]);
    expect(
      await db().auditEvent.count({ where: { tenantId: CONTOSO, action: "consent.verification_timed_out" } }),
    ).toBe(1);
  });

  it("a new round trip coming back starts the wait again and clears the old reason; proof ends it", async () => {
    const { db } = await import("@/lib/db/client");
    const { expireUnprovenConsents } = await import("@/lib/onboarding/consent");
    const { markConsentVerified } = await import("@/lib/data/tenants");
    const tenantId = "c0a3e5f1-0000-4000-8000-00000000c0de";
    const scope = await fakeGrantedCallback(tenantId);
    await db().tenant.update({ where: { id: tenantId }, data: { consentFailure: "an older reason" } });
    await fakeGrantedCallback(tenantId);
    const again = await db().tenant.findUniqueOrThrow({
      where: { id: tenantId },
      select: { consentState: true, consentFailure: true, consentPendingSince: true },
    });
    expect(again).toMatchObject({ consentState: "PENDING_VERIFICATION", consentFailure: null });
    await markConsentVerified(scope, 1, null);
    expect(
      await db().tenant.findUniqueOrThrow({
        where: { id: tenantId },
        select: { consentState: true, consentPendingSince: true },
      }),
    ).toEqual({ consentState: "GRANTED", consentPendingSince: null });
    expect(await expireUnprovenConsents(undefined, new Date(Date.now() + 24 * 3600_000))).toEqual([]);
  });

  it("a tenant left pending by an older version (no pending-since) counts from its last change", async () => {
    const { db } = await import("@/lib/db/client");
    const { expireUnprovenConsents } = await import("@/lib/onboarding/consent");
    const tenantId = "c0a3e5f1-0000-4000-8000-00000000001d";
    await db().tenant.create({ data: { id: tenantId, consentState: "PENDING_VERIFICATION" } });
    expect(await expireUnprovenConsents(undefined, new Date(Date.now() + (TIMEOUT_MINUTES + 1) * 60_000))).toEqual([
      tenantId,
    ]);
    expect(await db().tenant.findUniqueOrThrow({ where: { id: tenantId }, select: { consentFailure: true } })).toEqual({
      consentFailure: `Microsoft's answer said consent was granted, but Northwind Sync could not prove it within ${TIMEOUT_MINUTES} minutes.`,
    });
  });
});
