// Reads the tenant out of Dataverse's unauthenticated bearer challenge (docs/protocol/
// B2 and C9):  WWW-Authenticate: Bearer authorization_uri=https://login.microsoftonline.com/<tid>/oauth2/authorize, resource_id=https://<org>/
// Parameters are comma-separated, unquoted (quotes tolerated), names case-insensitive. The tenant is the first
// path segment of authorization_uri, not whatever follows the last "/".

export type DataverseChallenge = { authorityOrigin: string; tenantId: string; resourceId: string };

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function parseBearerChallenge(header: string | null): DataverseChallenge | null {
  if (!header) return null;
  const match = /^\s*Bearer\s+(.*)$/i.exec(header);
  if (!match) return null;
  const params = new Map<string, string>();
  for (const part of match[1]!.split(",")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim().toLowerCase();
    const value = part
      .slice(eq + 1)
      .trim()
      .replace(/^"(.*)"$/, "$1");
    if (name) params.set(name, value);
  }
  const authorizationUri = params.get("authorization_uri");
  const resourceId = params.get("resource_id");
  if (!authorizationUri || !resourceId) return null;
  let uri: URL;
  try {
    uri = new URL(authorizationUri);
  } catch {
    return null;
  }
  const tenantId = uri.pathname.split("/").filter(Boolean)[0];
  if (!tenantId || !GUID.test(tenantId)) return null;
  return { authorityOrigin: uri.origin, tenantId: tenantId.toLowerCase(), resourceId };
}
