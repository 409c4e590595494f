/**
 * A client assertion issued by someone else than the app itself: a federated identity credential
 * (docs/protocol/identity.md F1–F4). The assertion's `iss`, `sub` and `aud` must each match one federated credential
 * of the app registration exactly (case-sensitive); then its signature (the emulator verifies tokens of its own
 * issuer only) and its time range; an Entra-issued assertion must be a managed identity's token.
 *
 * Order of the checks [U]: issuer → subject → audience → signature → time → kind of token.
 */
import type { EntraErrorName } from "../errors";
import { sameGuid } from "../guid";
import { TOKEN_EXCHANGE_APP_ID, TOKEN_EXCHANGE_AUDIENCES } from "../managed-identity";
import type { FederatedIdentityCredential, ManagedIdentity, Settings } from "../scenario";
import type { VerifiedToken } from "../signing";

export interface FederatedContext {
  /** The app registration's federated identity credentials. */
  credentials: FederatedIdentityCredential[];
  /** The emulator's authority (replaces `{authority}` in a credential's issuer). */
  authority: string;
  managedIdentities: ManagedIdentity[];
  settings: Pick<Settings, "federatedCredentialErrors" | "assertionClockSkewSeconds">;
  /** Verifies the signature of a token of the emulator's own issuer (any time range). Throws when it does not verify. */
  verifySignature(token: string): Promise<VerifiedToken>;
}

export type FederatedResult = { ok: true } | { ok: false; error: EntraErrorName; params: Record<string, string> };

const fail = (error: EntraErrorName, params: Record<string, string> = {}): FederatedResult => ({
  ok: false,
  error,
  params,
});

export function resolvedIssuer(credential: Pick<FederatedIdentityCredential, "issuer">, authority: string): string {
  return credential.issuer.replace("{authority}", authority);
}

/** A credential's audience names the token exchange: a managed identity's token carries its application id instead ([U] mapping). */
function audienceMatches(configured: string, presented: string): boolean {
  if (configured === presented) return true;
  return (TOKEN_EXCHANGE_AUDIENCES as readonly string[]).includes(configured) && presented === TOKEN_EXCHANGE_APP_ID;
}

export async function verifyFederatedAssertion(
  assertion: string,
  claims: Record<string, unknown>,
  ctx: FederatedContext,
): Promise<FederatedResult> {
  const issuer = typeof claims.iss === "string" ? claims.iss : "";
  const subject = typeof claims.sub === "string" ? claims.sub : "";
  const audiences = (Array.isArray(claims.aud) ? claims.aud : [claims.aud]).filter(
    (a): a is string => typeof a === "string",
  );
  const legacy = ctx.settings.federatedCredentialErrors === "legacy";
  const noMatch = () => fail("federatedNoMatch", { issuer, subject, audience: audiences.join(", ") });

  const byIssuer = ctx.credentials.filter((c) => resolvedIssuer(c, ctx.authority) === issuer);
  if (byIssuer.length === 0) return legacy ? noMatch() : fail("federatedIssuerNoMatch", { issuer });
  const bySubject = byIssuer.filter((c) => c.subject === subject);
  if (bySubject.length === 0) {
    if (legacy) return noMatch();
    return byIssuer.some((c) => c.subject.toLowerCase() === subject.toLowerCase())
      ? fail("federatedSubjectCaseMismatch", { subject })
      : fail("federatedSubjectNoMatch", { subject });
  }
  const byAudience = bySubject.filter((c) =>
    c.audiences.some((configured) => audiences.some((presented) => audienceMatches(configured, presented))),
  );
  if (byAudience.length === 0)
    return legacy ? noMatch() : fail("federatedAudienceNoMatch", { audience: audiences.join(", ") });

  const ownIssuer = issuer.startsWith(`${ctx.authority}/`) || issuer.startsWith("https://sts.windows.net/");
  if (!ownIssuer) {
    return fail("invalidClientAssertion", {
      detail: `Client assertion failed signature validation. [Reason - The signing keys of issuer '${issuer}' could not be retrieved.]`,
    });
  }
  try {
    await ctx.verifySignature(assertion);
  } catch {
    return fail("invalidClientAssertion", {
      detail:
        "Client assertion failed signature validation. [Reason - The provided signature value did not match the expected signature value.]",
    });
  }

  const skew = ctx.settings.assertionClockSkewSeconds;
  const now = Date.now();
  const nowSec = Math.floor(now / 1000);
  const exp = typeof claims.exp === "number" ? claims.exp : undefined;
  const nbf = typeof claims.nbf === "number" ? claims.nbf : undefined;
  if (exp === undefined || exp + skew < nowSec || (nbf !== undefined && nbf - skew > nowSec)) {
    return fail("clientAssertionTimeRange", {
      now: new Date(now).toISOString(),
      nbf: nbf === undefined ? "" : new Date(nbf * 1000).toISOString(),
      exp: exp === undefined ? "(missing)" : new Date(exp * 1000).toISOString(),
    });
  }

  // Entra's own tokens count only when a managed identity got them (docs/protocol/identity.md F4, [U]).
  const managedIdentity =
    typeof claims.xms_mirid === "string" && claims.idtyp === "app"
      ? ctx.managedIdentities.find((m) => sameGuid(m.principalId, subject))
      : undefined;
  if (!managedIdentity) return fail("federatedNotManagedIdentity");
  // "Only user-assigned managed identities can be used as a federated credential for apps" (F1); the answer is [U].
  if (managedIdentity.kind === "system") return noMatch();
  return { ok: true };
}
