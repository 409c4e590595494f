// Faults the check must survive: an exception anywhere ends the check FAILED (never RUNNING), and a malformed
// or truncated $batch answer from Dataverse is a FAILED step with the detail kept for staff. Also the $batch
// client against Dataverse's stop-at-first-failure semantics (no Prefer header): 4xx, the failing part parsed.
import { beforeEach, describe, expect, it, vi } from "vitest";
import { DEMO_IDS } from "@tenant-onboarding/emulator";
import { runHarnessCheck, useCheckHarness } from "../support/check-harness";
import { forgetTokens } from "../support/tokens";
import { config } from "@/lib/config";
import type * as Outbound from "@/lib/http/outbound";
import type * as ChecksData from "@/lib/data/checks";

const faults = vi.hoisted(() => ({
  batch: null as null | "truncate" | "not-multipart" | "bad-part" | "throw",
  failWrites: 0,
}));

// The real outbound client, with a switch that damages what Dataverse answers to $batch.
vi.mock("@/lib/http/outbound", async (importOriginal) => {
  const actual = await importOriginal<typeof Outbound>();
  return {
    ...actual,
    outboundFetch: async (...args: Parameters<typeof actual.outboundFetch>) => {
      const [, url] = args;
      if (!faults.batch || !url.endsWith("/$batch")) return actual.outboundFetch(...args);
      if (faults.batch === "throw") throw new TypeError("Cannot read properties of undefined (reading 'boom')");
      const response = await actual.outboundFetch(...args);
      const text = await response.text();
      const { Response, Headers } = await import("undici");
      const headers = new Headers(response.headers);
      if (faults.batch === "truncate")
        return new Response(text.slice(0, Math.floor(text.length / 2)), { status: response.status, headers });
      if (faults.batch === "bad-part")
        return new Response(text.replace(/\{"@odata.context"/, '<html>{"@odata.context"'), {
          status: response.status,
          headers,
        });
      headers.set("content-type", "text/html");
      return new Response("<html>Service Unavailable</html>", { status: 200, headers });
    },
  };
});

// The real data layer, with a switch that makes the next step writes fail.
vi.mock("@/lib/data/checks", async (importOriginal) => {
  const actual = await importOriginal<typeof ChecksData>();
  return {
    ...actual,
    recordSteps: async (...args: Parameters<typeof actual.recordSteps>) => {
      if (faults.failWrites > 0) {
        faults.failWrites--;
        throw new Error("database went away");
      }
      return actual.recordSteps(...args);
    },
  };
});

const h = useCheckHarness("pglite");

const run = (tenantId: string, envName: string) => runHarnessCheck(h, tenantId, envName);

describe("connection check under faults", () => {
  beforeEach(async () => {
    faults.batch = null;
    faults.failWrites = 0;
    h.emulator.admin.reset();
    await forgetTokens(DEMO_IDS.tenants.fabrikam);
  });

  it("a truncated $batch answer is a FAILED step with the excerpt kept for staff", async () => {
    faults.batch = "truncate";
    const r = await run(DEMO_IDS.tenants.fabrikam, "fabrikam");
    expect(r.check).toMatchObject({ outcome: "FAILED", currentStep: null });
    expect(r.check.finishedAt).not.toBeNull();
    const failed = r.check.steps.find((s) => s.outcome === "FAILED")!;
    expect(failed).toMatchObject({ diagnosis: "dataverse-unreadable-answer", vendorFault: false });
    expect(failed.vendorDetail).toMatchObject({
      error: "DataverseProtocolError",
      message: expect.stringContaining("truncated"),
    });
    expect((failed.vendorDetail as { excerpt: string }).excerpt).toContain("--batchresponse_");
  });

  it("a part that is not JSON, or an answer that is not multipart, is unreadable too", async () => {
    for (const fault of ["bad-part", "not-multipart"] as const) {
      faults.batch = fault;
      const r = await run(DEMO_IDS.tenants.fabrikam, "fabrikam");
      expect(r.check.outcome).toBe("FAILED");
      expect(r.check.steps.find((s) => s.outcome === "FAILED")).toMatchObject({
        diagnosis: "dataverse-unreadable-answer",
      });
    }
  });

  it("an exception thrown mid-check ends the check FAILED with the detail for staff, never RUNNING", async () => {
    faults.batch = "throw";
    const r = await run(DEMO_IDS.tenants.fabrikam, "fabrikam");
    expect(r.check).toMatchObject({ outcome: "FAILED", currentStep: null });
    const failed = r.check.steps.find((s) => s.outcome === "FAILED")!;
    expect(failed).toMatchObject({ diagnosis: "unexpected-error", vendorFault: true });
    expect(failed.customerCause).not.toContain("boom");
    expect(failed.vendorDetail).toMatchObject({ error: "TypeError", message: expect.stringContaining("boom") });
    expect(r.check.steps.at(-1)).toMatchObject({ outcome: "SKIPPED" });
  });

  it("a database write failing mid-check still ends the check, every step recorded", async () => {
    faults.failWrites = 1;
    const r = await run(DEMO_IDS.tenants.fabrikam, "fabrikam");
    expect(r.check.outcome).toBe("FAILED");
    expect(r.check.finishedAt).not.toBeNull();
    expect(r.check.steps.map((s) => s.name)).toEqual([
      "token",
      "whoami",
      "application-user",
      "roles",
      "least-privilege",
      "privileges",
      "sample-read",
    ]);
    expect(r.check.steps.find((s) => s.outcome === "FAILED")).toMatchObject({ diagnosis: "unexpected-error" });
  });

  it("$batch without Prefer: Dataverse stops at the failing request and answers its 4xx; the portal reads the part and names the privilege", async () => {
    const { dataverseAppToken } = await import("@/lib/entra/msal");
    const { batchGet } = await import("@/lib/dataverse/web-api");
    const { diagnoseDataverseFailure } = await import("@/lib/checks/diagnoses");
    h.emulator.admin.setRolePrivilege("fabrikam", "Northwind Sync Integration", "prvReadUser", null);
    const url = h.emulator.environmentUrl("fabrikam");
    const { accessToken } = await dataverseAppToken(DEMO_IDS.tenants.fabrikam, url);
    const who = await batchGet(url, accessToken, ["WhoAmI"], { continueOnError: false });
    const userId = (who.parts[0]?.body as { UserId: string }).UserId;
    const paths = ["WhoAmI", `systemusers(${userId})?$select=fullname`, "accounts?$select=name&$top=1"];

    const stopped = await batchGet(url, accessToken, paths, { continueOnError: false });
    expect(stopped.status).toBe(403);
    expect(stopped.preferenceApplied).toBeNull();
    expect(stopped.parts[0]).toBeNull();
    expect(stopped.parts[2]).toBeNull();
    expect(stopped.parts[1]?.error).toMatchObject({ status: 403, code: "0x80040220" });
    const c = config();
    const diagnosis = diagnoseDataverseFailure(
      { branding: c.branding, roleName: c.dataverse.roleName, clientId: c.entra.clientId },
      c.dataverse.rolePrivileges,
      stopped.parts[1]?.error,
    );
    expect(diagnosis).toMatchObject({ id: "privileges-missing", microsoftCode: "0x80040220" });
    expect(diagnosis.cause).toContain("prvReadUser (Business Unit level)");

    const continued = await batchGet(url, accessToken, paths, { continueOnError: true });
    expect(continued.status).toBe(200);
    expect(continued.preferenceApplied).toBe("odata.continue-on-error");
    expect(continued.parts.map((p) => p?.status)).toEqual([200, 403, 200]);
  });
});
