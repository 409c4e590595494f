import "server-only";

// The rules every environment goes through before it is saved, typed or picked from Global Discovery: the URL
// is normalised and must be on an allowed Dataverse host (the SSRF boundary), the environment must answer an
// unauthenticated probe with a challenge naming the signed-in tenant and the configured cloud (ownership,
// docs/protocol/dataverse.md B2), and it may be registered once in the whole portal.
import { config } from "@/lib/config";
import { registerEnvironment } from "@/lib/data/environments";
import type { TenantScope } from "@/lib/data/scope";
import { EnvironmentUrlError, normaliseEnvironmentUrl } from "@/lib/dataverse/environment-url";
import { probeEnvironment } from "@/lib/dataverse/web-api";
import { sameCloudAuthority } from "@/lib/entra/authority-hosts";
import { OutboundError } from "@/lib/http/outbound";
import { environmentProbeRateLimit } from "@/lib/onboarding/limits";

export type RegistrationOutcome = { ok: true; id: string; url: string } | { ok: false; message: string };

export async function registerEnvironmentUrl(
  scope: TenantScope,
  rawUrl: string,
  friendlyName: string | null,
): Promise<RegistrationOutcome> {
  const c = config();
  let env;
  try {
    env = normaliseEnvironmentUrl(rawUrl, c.dataverse.allowedHostSuffixes);
  } catch (error) {
    if (error instanceof EnvironmentUrlError)
      return {
        ok: false,
        message:
          error.code === "outside-allow-list" && c.mode === "demo" ? demoOnlyMessage(error.host, c) : error.message,
      };
    throw error;
  }
  const limited = await environmentProbeRateLimit(scope);
  if (limited) return { ok: false, message: limited };
  let probe;
  try {
    probe = await probeEnvironment(env.url);
  } catch (error) {
    if (error instanceof OutboundError) {
      return {
        ok: false,
        message:
          error.kind === "network"
            ? `${env.host} could not be reached. Check the spelling: Dataverse gives every environment its own address.`
            : `${env.host} did not answer like a Dataverse environment (${error.message}).`,
      };
    }
    throw error;
  }
  if (probe.kind !== "challenge") {
    return {
      ok: false,
      message: `${env.host} did not answer like a Dataverse environment (HTTP ${probe.status}). Copy the Environment URL from the Power Platform admin center.`,
    };
  }
  if (!sameCloudAuthority(new URL(probe.challenge.authorityOrigin).host, new URL(c.entra.authorityHost).host)) {
    return {
      ok: false,
      message: `This environment signs in through ${new URL(probe.challenge.authorityOrigin).host}, a different Microsoft cloud than ${c.branding.appName} uses. Contact ${c.branding.vendorName} about support for that cloud.`,
    };
  }
  if (probe.challenge.tenantId !== scope.tenantId) {
    return {
      ok: false,
      message:
        "This environment belongs to a different Microsoft Entra ID tenant than the one you signed in with, so it cannot be connected here. Sign in with an account of the organisation that owns it.",
    };
  }
  // A pasted URL gets a name people recognise: the environment's own name in its address (its first label).
  const result = await registerEnvironment(scope, env, friendlyName ?? env.orgName);
  if (!result.ok) {
    return {
      ok: false,
      message:
        result.reason === "duplicate-own"
          ? `${env.url} is already registered for your organisation.`
          : `${env.url} is already connected to another organisation in this portal. If it moved to your tenant, contact ${c.branding.supportEmail}.`,
    };
  }
  return { ok: true, id: result.id, url: env.url };
}

/**
 * The demo connects only to its emulator's environments: a real Microsoft address is not wrong, it is just not
 * reachable here, and the emulated twin of the same name is offered (`contoso.crm4.dynamics.com` → the emulator's
 * `contoso.crm4.dynamics.localhost`).
 */
function demoOnlyMessage(host: string | null, c: ReturnType<typeof config>): string {
  const [org, region] = (host ?? "").replace(".api.", ".").split(".");
  const suffix =
    c.dataverse.allowedHostSuffixes.find((s) => s.startsWith(`${region}.`)) ?? c.dataverse.allowedHostSuffixes[0];
  // The emulated environments answer on the emulator's port, the one its admin center is served on.
  const port = c.demoAdminCenterUrl ? new URL(c.demoAdminCenterUrl).port : "";
  const twin = org && suffix ? `https://${org}.${suffix}${port ? `:${port}` : ""}` : null;
  return `This demo connects only to the environments of its built-in Microsoft emulator, not to Microsoft's own servers, so ${host ?? "that address"} cannot be reached from here. Choose “List my environments” above${twin ? `, or use the emulated address ${twin}` : ""}.`;
}
