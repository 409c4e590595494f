import { describe, expect, it } from "vitest";
import { contentSecurityPolicy, securityHeaders } from "@/lib/http/security-headers";

const directives = (csp: string) => new Map(csp.split("; ").map((d) => [d.split(" ")[0]!, d.split(" ").slice(1)]));

describe("security headers", () => {
  const base = { nonce: "bm9uY2U=", formActionOrigins: ["https://login.microsoftonline.com"] };

  it("a nonce CSP: scripts by nonce only, no framing, forms to the portal and the Entra authority", () => {
    const csp = directives(contentSecurityPolicy({ ...base, https: false }));
    expect(csp.get("default-src")).toEqual(["'self'"]);
    expect(csp.get("script-src")).toEqual(["'self'", "'nonce-bm9uY2U='", "'strict-dynamic'"]);
    expect(csp.get("style-src")).toEqual(["'self'", "'nonce-bm9uY2U='"]);
    expect(csp.get("frame-ancestors")).toEqual(["'none'"]);
    expect(csp.get("form-action")).toEqual(["'self'", "https://login.microsoftonline.com"]);
    expect(csp.get("base-uri")).toEqual(["'none'"]);
    expect(csp.get("object-src")).toEqual(["'none'"]);
    expect(csp.has("upgrade-insecure-requests")).toBe(false);
    expect(contentSecurityPolicy({ ...base, https: false })).not.toContain("unsafe");
    expect(contentSecurityPolicy({ ...base, https: false, development: true })).toContain("'unsafe-eval'");
  });

  it("the other headers, and HSTS only when AUTH_URL is https", () => {
    const plain = securityHeaders({ ...base, https: false });
    expect(plain).toMatchObject({
      "X-Frame-Options": "DENY",
      "X-Content-Type-Options": "nosniff",
      "Referrer-Policy": "strict-origin-when-cross-origin",
    });
    expect(plain["Permissions-Policy"]).toContain("camera=()");
    expect(plain["Strict-Transport-Security"]).toBeUndefined();
    const https = securityHeaders({ ...base, https: true });
    expect(https["Strict-Transport-Security"]).toBe("max-age=63072000; includeSubDomains");
    expect(https["Content-Security-Policy"]).toContain("upgrade-insecure-requests");
  });
});
