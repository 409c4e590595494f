// The session a cookie names (lib/data/sessions.ts findActiveSession), read in one statement with its customer's
// organisation name on every signed-in request: live sessions only, every field typed as the rest of the portal
// expects (roles an array, times Dates), the name as display name else primary domain, none for staff. Run on both
// databases: the statement is SQL of its own.
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { usePortalDatabase } from "../support/portal-database";
import type { TestDatabaseKind } from "../support/databases";

export function activeSessionSuite(kind: TestDatabaseKind) {
  usePortalDatabase(kind);

  describe(`active sessions (${kind})`, () => {
    it("reads a live customer session with its organisation's name, and refuses revoked, expired and malformed ids", async () => {
      const { db } = await import("@/lib/db/client");
      const { findActiveSession } = await import("@/lib/data/sessions");
      const tenantId = randomUUID();
      const userObjectId = randomUUID();
      await db().tenant.create({
        data: { id: tenantId, consentState: "GRANTED", primaryDomain: "contoso.example", displayName: null },
      });
      const authenticatedAt = new Date("2026-12-04T10:00:00.123Z");
      const expiresAt = new Date(Date.now() + 3600_000);
      const session = await db().portalSession.create({
        data: {
          tenantId,
          entraTenantId: tenantId,
          userObjectId,
          userName: "Megan",
          userPrincipalName: "megan@contoso.example",
          isTenantAdmin: true,
          appRoles: ["Tenant.Connect"],
          authenticatedAt,
          expiresAt,
        },
        select: { id: true },
      });

      expect(await findActiveSession(session.id)).toEqual({
        id: session.id,
        kind: "customer",
        entraTenantId: tenantId,
        tenantId,
        userObjectId,
        userName: "Megan",
        userPrincipalName: "megan@contoso.example",
        appRoles: ["Tenant.Connect"],
        tenantAdmin: true,
        authenticatedAt,
        expiresAt,
        organisation: "contoso.example",
      });
      await db().tenant.update({ where: { id: tenantId }, data: { displayName: "Contoso Ltd" } });
      expect((await findActiveSession(session.id))?.organisation).toBe("Contoso Ltd");

      expect(await findActiveSession(session.id, new Date(expiresAt.getTime() + 1))).toBeNull();
      await db().portalSession.update({ where: { id: session.id }, data: { revokedAt: new Date() } });
      expect(await findActiveSession(session.id)).toBeNull();
      expect(await findActiveSession("not-a-guid")).toBeNull();
      expect(await findActiveSession(randomUUID())).toBeNull();
    });

    it("a staff session has no organisation, and its roles come back as an array", async () => {
      const { db } = await import("@/lib/db/client");
      const { findActiveSession } = await import("@/lib/data/sessions");
      const home = randomUUID();
      const session = await db().portalSession.create({
        data: {
          tenantId: null,
          entraTenantId: home,
          userObjectId: randomUUID(),
          userName: "Sam",
          userPrincipalName: "sam@northwind.example",
          isStaff: true,
          appRoles: ["Support.Operator", "Support.Admin"],
          expiresAt: new Date(Date.now() + 3600_000),
        },
        select: { id: true },
      });
      expect(await findActiveSession(session.id)).toMatchObject({
        kind: "staff",
        tenantId: null,
        entraTenantId: home,
        appRoles: ["Support.Operator", "Support.Admin"],
        tenantAdmin: false,
        organisation: null,
      });
    });
  });
}
