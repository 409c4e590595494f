import "server-only";

// Picking an environment from Global Discovery: the choice must name an instance of this session's own, fresh
// listing, of the signed-in tenant, not used before; then it goes through the same rules as a typed URL.
import type { CustomerSession } from "@/lib/auth/session";
import { getDiscovery, markInstanceUsed } from "@/lib/data/delegated";
import { customerScope } from "@/lib/data/scope";
import { registerEnvironmentUrl } from "@/lib/onboarding/environment-registration";

export type PickOutcome =
  { ok: true; environmentId: string } | { ok: false; status: number; title: string; message: string };

const NOT_OFFERED: PickOutcome = {
  ok: false,
  status: 400,
  title: "That environment was not offered to you",
  message:
    "The choice does not match a list of environments made for this browser session, or the list expired. Nothing was registered. List your environments again.",
};

export async function pickDiscoveredEnvironment(
  session: CustomerSession,
  discoveryId: unknown,
  instanceId: unknown,
): Promise<PickOutcome> {
  if (typeof discoveryId !== "string" || typeof instanceId !== "string") return NOT_OFFERED;
  const scope = customerScope(session);
  const discovery = await getDiscovery(scope, session.id, discoveryId);
  const instance = discovery?.instances.find((i) => i.id === instanceId.toLowerCase());
  if (!discovery || !instance) return NOT_OFFERED;
  if (instance.tenantId !== scope.tenantId) {
    return {
      ok: false,
      status: 403,
      title: "That environment belongs to another organisation",
      message: "It cannot be connected here. Nothing was registered.",
    };
  }
  const replayed = {
    ok: false,
    status: 409,
    title: "That choice was already used",
    message: "The environment was already registered from this list. Nothing else was registered.",
  } as const;
  if (discovery.usedInstanceIds.includes(instance.id)) return replayed;
  // Registration refuses a second copy of the same URL, so two concurrent picks still register it once.
  const result = await registerEnvironmentUrl(scope, instance.url, instance.friendlyName.slice(0, 100));
  if (!result.ok)
    return { ok: false, status: 409, title: "The environment could not be registered", message: result.message };
  await markInstanceUsed(scope, discovery.id, instance.id);
  return { ok: true, environmentId: result.id };
}
