// Who is e-mailed about a tenant's connections (lib/data/alert-recipients.ts), read in one statement: the
// administrators who onboarded it (granted consent, registered an environment) at the address of their latest
// administrator sign-in, unless they removed themselves; others who added themselves; nobody twice. Run on both
// databases: the statement aggregates JSON, which each must hand back the same.
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { usePortalDatabase } from "../support/portal-database";
import type { TestDatabaseKind } from "../support/databases";

export function alertRecipientsSuite(kind: TestDatabaseKind) {
  usePortalDatabase(kind);

  const person = () => randomUUID();

  async function signIn(tenantId: string, userObjectId: string, upn: string, admin: boolean, at: Date) {
    const { db } = await import("@/lib/db/client");
    await db().portalSession.create({
      data: {
        tenantId,
        entraTenantId: tenantId,
        userObjectId,
        userName: upn.split("@")[0],
        userPrincipalName: upn,
        isTenantAdmin: admin,
        createdAt: at,
        expiresAt: new Date(at.getTime() + 3600_000),
      },
    });
  }

  describe(`alert recipients (${kind})`, () => {
    it("lists onboarders at their latest admin sign-in, honours choices, adds volunteers, and names nobody twice", async () => {
      const { db } = await import("@/lib/db/client");
      const { alertRecipientsOf, setOwnAlertSubscription } = await import("@/lib/data/alert-recipients");
      const { testCustomerScope } = await import("../support/customer-scope");
      const tenantId = randomUUID();
      const [granter, registrar, leaver, volunteer, reader] = [person(), person(), person(), person(), person()];
      await db().tenant.create({
        data: {
          id: tenantId,
          consentState: "GRANTED",
          consentGrantedByObjectId: granter,
          consentGrantedByName: "Grace Granter",
        },
      });
      const domain = `t${tenantId.slice(0, 8)}.example`;
      await db().environment.create({
        data: {
          tenantId,
          url: `https://a-${tenantId.slice(0, 8)}.crm.dynamics.com`,
          registeredByObjectId: registrar,
          registeredByName: "Rita Registrar",
          createdAt: new Date("2026-01-01T00:00:00Z"),
        },
      });
      await db().environment.create({
        data: {
          tenantId,
          url: `https://b-${tenantId.slice(0, 8)}.crm.dynamics.com`,
          registeredByObjectId: leaver,
          registeredByName: "Leo Leaver",
          createdAt: new Date("2026-01-02T00:00:00Z"),
        },
      });
      // The granter signed in twice as an administrator (the later address wins) and once as a non-administrator.
      await signIn(tenantId, granter, `grace.old@${domain}`, true, new Date("2026-01-01T10:00:00Z"));
      await signIn(tenantId, granter, `Grace@${domain}`, true, new Date("2026-02-01T10:00:00Z"));
      await signIn(tenantId, granter, `grace.reader@${domain}`, false, new Date("2026-03-01T10:00:00Z"));
      await signIn(tenantId, registrar, `rita@${domain}`, true, new Date("2026-01-01T11:00:00Z"));
      await signIn(tenantId, leaver, `leo@${domain}`, true, new Date("2026-01-02T11:00:00Z"));
      // A reader who never onboarded anything is not told.
      await signIn(tenantId, reader, `rob@${domain}`, false, new Date("2026-01-03T11:00:00Z"));
      const scope = await testCustomerScope(tenantId);
      await setOwnAlertSubscription(scope, { objectId: leaver, name: "Leo Leaver", address: `leo@${domain}` }, false);
      await setOwnAlertSubscription(
        scope,
        { objectId: volunteer, name: "Val Volunteer", address: `VAL@${domain}` },
        true,
      );
      // The registrar chose too, with another address: the choice wins over the sign-in.
      await setOwnAlertSubscription(scope, { objectId: registrar, name: null, address: `rita.alerts@${domain}` }, true);
      // Another tenant's people never appear.
      const other = randomUUID();
      await db().tenant.create({ data: { id: other, consentState: "GRANTED", consentGrantedByObjectId: granter } });
      await signIn(other, granter, `grace@elsewhere.example`, true, new Date("2026-04-01T10:00:00Z"));

      expect(await alertRecipientsOf(tenantId)).toEqual({
        optedOut: false,
        people: [
          { userObjectId: granter, name: "Grace Granter", address: `grace@${domain}`, reason: "granted-consent" },
          {
            userObjectId: registrar,
            name: "Rita Registrar",
            address: `rita.alerts@${domain}`,
            reason: "registered-environment",
          },
          { userObjectId: volunteer, name: "Val Volunteer", address: `val@${domain}`, reason: "added-themselves" },
        ],
      });

      await db().tenant.update({ where: { id: tenantId }, data: { emailAlertsOff: true } });
      expect((await alertRecipientsOf(tenantId)).optedOut).toBe(true);
    });

    it("a tenant with nobody to tell, and an unknown tenant, give an empty list", async () => {
      const { db } = await import("@/lib/db/client");
      const { alertRecipientsOf } = await import("@/lib/data/alert-recipients");
      const tenantId = randomUUID();
      await db().tenant.create({ data: { id: tenantId, consentState: "NOT_GRANTED" } });
      expect(await alertRecipientsOf(tenantId)).toEqual({ optedOut: false, people: [] });
      expect(await alertRecipientsOf(randomUUID())).toEqual({ optedOut: false, people: [] });
    });
  });
}
