import "server-only";

// Admin-consent URLs (docs/protocol/entra.md A3). The portal's own flow uses the v2
// adminconsent endpoint for the signed-in tenant; the legacy `prompt=admin_consent` link is offered for
// admins who cannot use the portal (e.g. their policy blocks third-party sign-in pages).

import type { PortalConfig } from "@/lib/config";

export const CONSENT_CALLBACK_PATH = "/consent/callback";

export function consentRedirectUri(c: PortalConfig, requestOrigin: string): string {
  return new URL(CONSENT_CALLBACK_PATH, c.publicUrl ?? requestOrigin).toString();
}

/**
 * The legacy link an admin can open directly. `tenant` is a GUID or verified domain when known; otherwise
 * `organizations`, never `common` (personal accounts cannot consent for an organisation).
 */
export function legacyAdminConsentUrl(c: PortalConfig, requestOrigin: string, tenant: string | null): string | null {
  if (!c.entra.clientId) return null;
  const url = new URL(`/${encodeURIComponent(tenant ?? "organizations")}/oauth2/authorize`, c.entra.authorityHost);
  url.searchParams.set("client_id", c.entra.clientId);
  url.searchParams.set("response_type", "code");
  url.searchParams.set("redirect_uri", consentRedirectUri(c, requestOrigin));
  url.searchParams.set("prompt", "admin_consent");
  return url.toString();
}
