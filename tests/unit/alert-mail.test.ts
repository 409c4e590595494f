// The alert e-mails (lib/notifications/alerts.ts alertMail) as their readers get them: the organisation and the
// environment by name, since when in the one date format, the cause, the fix, a link to the environment's page built
// from AUTH_URL; "connected" on a first success and "working again" only after a break; the support copy's subject
// names the organisation, never its tenant id.
import { beforeAll, describe, expect, it } from "vitest";
import { setTestEnv } from "../support/config";
import type { Transition } from "@/lib/events";
import type { alertMail as AlertMail } from "@/lib/notifications";

const TENANT = "fab1c2d3-4e5f-4a6b-9c7d-8e9f0a1b2c3d";
const ENVIRONMENT = "0190f000-0000-7000-8000-0000000000e1";
let alertMail: typeof AlertMail;

beforeAll(async () => {
  setTestEnv({ AUTH_URL: "https://onboarding.northwind.example" });
  ({ alertMail } = await import("@/lib/notifications"));
});

const transition = (t: Partial<Transition>): Transition => ({
  kind: "broken",
  tenantId: TENANT,
  organisationName: "Fabrikam, Inc.",
  environmentId: ENVIRONMENT,
  environmentUrl: "https://fabrikam.crm4.dynamics.com",
  environmentName: "Fabrikam (Production)",
  checkId: "0190f000-0000-7000-8000-0000000000c1",
  from: "HEALTHY",
  to: "BROKEN",
  cause: "The application user is disabled.",
  fix: "Enable it in the Power Platform admin center, then re-run the check.",
  causeId: "application-user-disabled",
  consentRemoved: false,
  brokenSince: new Date("2026-12-04T10:10:33Z"),
  at: new Date("2026-12-04T10:11:02Z"),
  ...t,
});

describe("alert e-mails", () => {
  it("broken: the organisation, since when, the cause, the fix and the environment's page", () => {
    const mail = alertMail(transition({}), "customer");
    expect(mail.subject).toBe("Northwind Sync: connection broken for Fabrikam (Production)");
    expect(mail.text).toContain(
      "The connection from Northwind Sync to Fabrikam (Production) (https://fabrikam.crm4.dynamics.com) of Fabrikam, Inc. is broken since 4 Dec 2026, 10:10 UTC.",
    );
    expect(mail.text).toContain("Why: The application user is disabled.");
    expect(mail.text).toContain("How to fix it: Enable it in the Power Platform admin center, then re-run the check.");
    expect(mail.text).toContain(`https://onboarding.northwind.example/onboarding/environments/${ENVIRONMENT}`);
    expect(mail.text).not.toMatch(/\d{4}-\d\d-\d\d/);
  });

  it("the support copy: named by the organisation, never by its tenant id, with the console's link", () => {
    const mail = alertMail(transition({ consentRemoved: true, causeId: "consent-removed" }), "support");
    expect(mail.subject).toBe("[Fabrikam, Inc.] Northwind Sync: consent removed for Fabrikam (Production)");
    expect(mail.subject).not.toContain(TENANT);
    expect(mail.text).toContain(`https://onboarding.northwind.example/console/tenants/${TENANT}`);
  });

  it("connected on a first success; working again only after a break", () => {
    const ready = alertMail(
      transition({ kind: "ready", from: null, to: "HEALTHY", cause: null, fix: null, brokenSince: null }),
      "customer",
    );
    expect(ready.subject).toBe("Northwind Sync: Fabrikam (Production) is connected");
    expect(ready.text).toContain("its first connection check passed (4 Dec 2026, 10:11 UTC)");
    expect(ready.text).not.toMatch(/working again|can reach .* again/);
    const recovered = alertMail(
      transition({ kind: "recovered", from: "BROKEN", to: "RECOVERED", cause: null, fix: null, brokenSince: null }),
      "customer",
    );
    expect(recovered.subject).toBe("Northwind Sync: connection to Fabrikam (Production) is working again");
  });

  it("an environment without a friendly name is named by its host; an unknown organisation reads 'your organisation'", () => {
    const mail = alertMail(transition({ environmentName: null, organisationName: null }), "customer");
    expect(mail.subject).toBe("Northwind Sync: connection broken for fabrikam.crm4.dynamics.com");
    expect(mail.text).toContain("of your organisation is broken since");
  });
});
