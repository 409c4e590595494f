import "server-only";

// The app's credential without a secret (docs/protocol/identity.md F1, F2): the app registration trusts a
// user-assigned managed identity through a federated identity credential, so the identity's token for
// api://AzureADTokenExchange is the client assertion of every token request the app sends — app-only, consent proof,
// delegated code redemption and sign-in, in every customer tenant. One assertion serves until shortly before it
// expires (about 24 hours), so the managed identity endpoint is asked once per assertion lifetime, not per request;
// concurrent requests share one call. The assertion is a bearer credential: never logged, stored or shown.
import { azureCredential } from "@/lib/http/azure-sdk";

export const TOKEN_EXCHANGE_SCOPE = "api://AzureADTokenExchange/.default";
/** An assertion is renewed this long before it expires (at most a tenth of its lifetime). */
export const ASSERTION_RENEW_BEFORE_MS = 5 * 60_000;

type Assertion = { token: string; obtainedAt: number; expiresAt: number };
const holder = globalThis as unknown as {
  portalAssertions?: Map<string, Assertion>;
  portalAssertionsInFlight?: Map<string, Promise<Assertion>>;
};
const assertions = (holder.portalAssertions ??= new Map());
const inFlight = (holder.portalAssertionsInFlight ??= new Map());

/** The managed identity could not give an assertion (its endpoint failed, or it is not assigned to this host). */
export class AssertionUnavailableError extends Error {
  constructor(clientId: string, cause: unknown) {
    super(`the managed identity ${clientId} gave no token: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = "AssertionUnavailableError";
  }
}

function fresh(assertion: Assertion | undefined, now: number): assertion is Assertion {
  if (!assertion) return false;
  const margin = Math.min(ASSERTION_RENEW_BEFORE_MS, (assertion.expiresAt - assertion.obtainedAt) / 10);
  return assertion.expiresAt - margin > now;
}

/** The managed identity's current token for the token exchange: the federated client assertion. */
export async function federatedAssertion(clientId: string): Promise<string> {
  const held = assertions.get(clientId);
  if (fresh(held, Date.now())) return held.token;
  let pending = inFlight.get(clientId);
  if (!pending) {
    pending = (async () => {
      const obtainedAt = Date.now();
      try {
        const token = await azureCredential({ kind: "user-assigned", clientId }).getToken(TOKEN_EXCHANGE_SCOPE);
        if (!token?.token) throw new Error("no token");
        const assertion = { token: token.token, obtainedAt, expiresAt: token.expiresOnTimestamp };
        assertions.set(clientId, assertion);
        return assertion;
      } catch (error) {
        throw new AssertionUnavailableError(clientId, error);
      }
    })().finally(() => inFlight.delete(clientId));
    inFlight.set(clientId, pending);
  }
  return (await pending).token;
}

/** Tests: forget the assertions held (the next request asks the managed identity again). */
export function forgetFederatedAssertions(): void {
  assertions.clear();
}
