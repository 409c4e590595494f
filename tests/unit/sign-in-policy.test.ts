import { describe, expect, it } from "vitest";
import { decideSignIn, PERSONAL_ACCOUNT_TENANT_ID } from "@/lib/auth/sign-in-policy";
import { safeReturnPath } from "@/lib/safe-return-path";

const home = "3f6a9d2e-7b41-4c85-9e12-5a8b0c4d7e61";
const customer = "c0a3e5f1-2d4b-4a6c-8e9f-1b2c3d4e5f60";
const oid = "0e1d2c3b-4a59-4867-8756-a4b3c2d1e0f9";
const multi = { tenancy: "multi" as const, homeTenantId: home, staffRoles: ["Support.Operator", "Support.Admin"] };
const single = { ...multi, tenancy: "single" as const };

describe("decideSignIn", () => {
  it("refuses personal Microsoft accounts", () => {
    expect(decideSignIn({ tid: PERSONAL_ACCOUNT_TENANT_ID, oid }, multi)).toEqual({ allowed: false, reason: "personal-account" });
  });
  it("lets a customer tenant's user in as a customer", () => {
    expect(decideSignIn({ tid: customer.toUpperCase(), oid, roles: ["Support.Admin"] }, multi)).toMatchObject({ allowed: true, kind: "customer", tenantId: customer });
  });
  it("makes staff only of home-tenant users holding a support role", () => {
    expect(decideSignIn({ tid: home, oid, roles: ["Support.Operator"] }, multi)).toMatchObject({ allowed: true, kind: "staff" });
    expect(decideSignIn({ tid: home, oid, roles: [] }, multi)).toMatchObject({ allowed: true, kind: "customer" });
    expect(decideSignIn({ tid: home, oid, roles: "Support.Admin" }, multi)).toMatchObject({ kind: "customer" });
  });
  it("in single-tenant mode refuses every other tenant", () => {
    expect(decideSignIn({ tid: customer, oid }, single)).toEqual({ allowed: false, reason: "other-tenant" });
    expect(decideSignIn({ tid: home, oid }, single)).toMatchObject({ allowed: true, kind: "customer", tenantId: home });
  });
  it("refuses tokens without a tenant or object id", () => {
    expect(decideSignIn({ oid }, multi)).toEqual({ allowed: false, reason: "missing-claims" });
    expect(decideSignIn({ tid: "contoso", oid }, multi)).toEqual({ allowed: false, reason: "missing-claims" });
    expect(decideSignIn({ tid: customer }, multi)).toEqual({ allowed: false, reason: "missing-claims" });
  });
});

describe("safeReturnPath", () => {
  it.each([
    ["/onboarding/environments", "/onboarding/environments"],
    ["//evil.example/x", "/onboarding"],
    ["https://evil.example", "/onboarding"],
    ["/\\evil.example", "/onboarding"],
    [undefined, "/onboarding"],
    [["/a"], "/onboarding"],
  ])("%s → %s", (input, expected) => {
    expect(safeReturnPath(input)).toBe(expected);
  });
});
