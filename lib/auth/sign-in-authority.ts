import "server-only";

// Where the portal's sign-in goes, and how the ID token's issuer is checked (docs/protocol/entra.md A1, A2).
// Pure: the sign-in endpoints and the issuer template are unit-tested against @auth/core's own callback for
// login.microsoftonline.com and for another host (the emulator's).
import type { PortalConfig } from "@/lib/config";

export type SignInEndpoints = {
  /** `organizations` (multi-tenant) or the home tenant (single-tenant). */
  authority: string;
  authorizationUrl: string;
  tokenUrl: string;
  /**
   * What next-auth's Entra provider takes as `issuer`. In multi-tenant mode it is a template, never discovered
   * at sign-in (the authorization and token URLs are given): at the callback @auth/core reads the ID token's
   * `tid`, swaps it for the template's tenant segment, discovers `<host>/<tid>/v2.0` and requires `iss` to
   * equal that tenant's issuer exactly. It finds the segment with `microsoftonline\.com/(\w+)/v2\.0` and assumes
   * `common` on any other host, so the template says `common` on every host.
   */
  issuer: string;
};

/**
 * Multi-tenant sign-in goes to `organizations`: Microsoft itself refuses a personal Microsoft account on its
 * sign-in page, before any consent prompt (docs/protocol/entra.md A2 "Personal accounts at `organizations`").
 * decideSignIn() still refuses the personal-account tenant should one get through (second line of defence).
 */
export function signInEndpoints(c: PortalConfig): SignInEndpoints {
  const host = c.entra.authorityHost;
  const single = c.entra.tenancy === "single" && c.entra.homeTenantId;
  const authority = single ? c.entra.homeTenantId! : "organizations";
  return {
    authority,
    authorizationUrl: `${host}/${authority}/oauth2/v2.0/authorize`,
    tokenUrl: `${host}/${authority}/oauth2/v2.0/token`,
    issuer: `${host}/${single ? authority : "common"}/v2.0`,
  };
}
