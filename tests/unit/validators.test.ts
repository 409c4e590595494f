// lib/validators.ts: one definition of a GUID and of a tenant hint for the whole portal.
import { describe, expect, it } from "vitest";
import { GUID, isGuid, TENANT_HINT } from "@/lib/validators";

describe("validators", () => {
  it("a GUID is the 8-4-4-4-12 form in either case, nothing around it", () => {
    expect(isGuid("9188040d-6c67-4c5b-b112-36a304b66dad")).toBe(true);
    expect(isGuid("9188040D-6C67-4C5B-B112-36A304B66DAD")).toBe(true);
    for (const bad of [
      "",
      "9188040d6c674c5bb11236a304b66dad",
      "{9188040d-6c67-4c5b-b112-36a304b66dad}",
      " 9188040d-6c67-4c5b-b112-36a304b66dad",
      "9188040d-6c67-4c5b-b112-36a304b66dag",
    ]) {
      expect(GUID.test(bad), bad).toBe(false);
    }
  });

  it("a tenant hint is a GUID or a dotted domain, lowercase", () => {
    for (const ok of ["contoso.com", "contoso.onmicrosoft.com", "9188040d-6c67-4c5b-b112-36a304b66dad", "my-org.co.uk"])
      expect(TENANT_HINT.test(ok), ok).toBe(true);
    for (const bad of ["contoso", "not a domain", "Contoso.com", "contoso.com/", "a..b", "-"])
      expect(TENANT_HINT.test(bad), bad).toBe(false);
  });
});
