import "server-only";

// Per-tenant limits on the onboarding steps that call Microsoft: registering an environment probes it
// (an unauthenticated request to the environment), and verifying consent asks Entra for a token. Both are
// reachable by any signed-in customer in a loop; the limits keep that from turning the portal into a
// request amplifier against Dataverse or Entra. Taken atomically (lib/data/rate-limits.ts).
import { takeRateLimit } from "@/lib/data/rate-limits";
import type { TenantScope } from "@/lib/data/scope";

/** Registrations that reach the probe: enough for a tenant with several environments and a few typos. */
export const ENVIRONMENT_PROBE_RATE = { max: 10, windowMs: 10 * 60 * 1000 };
/** The verification page retries about nine times over 75 s after one consent; this allows a few consents. */
export const CONSENT_VERIFICATION_RATE = { max: 30, windowMs: 10 * 60 * 1000 };

const minutes = (ms: number) => ms / 60_000;

/** Null when the environment may be probed now (its slot is taken); otherwise the message for the URL field. */
export async function environmentProbeRateLimit(scope: TenantScope, now = Date.now()): Promise<string | null> {
  const decision = await takeRateLimit(scope, "environment-probe", ENVIRONMENT_PROBE_RATE, now);
  if (decision.allowed) return null;
  return `Your organisation has checked ${decision.used} environment addresses in the last ${minutes(ENVIRONMENT_PROBE_RATE.windowMs)} minutes. Please wait a few minutes before registering another.`;
}

/** Null when consent may be verified now (its slot is taken); otherwise why not. */
export async function consentVerificationRateLimit(scope: TenantScope, now = Date.now()): Promise<string | null> {
  const decision = await takeRateLimit(scope, "consent-verification", CONSENT_VERIFICATION_RATE, now);
  if (decision.allowed) return null;
  return `Consent was checked ${decision.used} times in the last ${minutes(CONSENT_VERIFICATION_RATE.windowMs)} minutes.`;
}
