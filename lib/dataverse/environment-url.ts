// Normalises what an admin pastes as a Dataverse environment URL, and enforces the SSRF boundary: the
// portal will only ever call https://<one label>.<allowed suffix>, never an IP address, never with
// credentials in the URL. Pure; the allow-list comes from configuration.
//
// Accepted forms: contoso.crm4.dynamics.com, https://contoso.api.crm4.dynamics.com/api/data/v9.2/,
// https://CONTOSO.crm4.dynamics.com/main.aspx?appid=… — all become https://contoso.crm4.dynamics.com.
// Region hosts and clouds: docs/protocol/dataverse.md B1.

export type DataverseCloud = "PUBLIC" | "GCC" | "GCC_HIGH" | "DOD" | "CHINA";

export type EnvironmentUrl = {
  /** https://<org>.<suffix>[:port] — the canonical form stored and shown. */
  url: string;
  /** The Web API host (<org>.api.<suffix>). */
  apiUrl: string;
  host: string;
  orgName: string;
  suffix: string;
  cloud: DataverseCloud;
};

export type EnvironmentUrlErrorCode =
  | "empty"
  | "too-long"
  | "malformed"
  | "scheme"
  | "credentials"
  | "ip-address"
  | "not-dataverse"
  | "outside-allow-list"
  | "port";

export class EnvironmentUrlError extends Error {
  constructor(
    readonly code: EnvironmentUrlErrorCode,
    message: string,
    /** The host as typed (lower case), when it was read. */
    readonly host: string | null = null,
  ) {
    super(message);
    this.name = "EnvironmentUrlError";
  }
}

const ORG_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
/** <org>.<region host> of one of Microsoft's clouds (docs/protocol/dataverse.md B1), allowed here or not. */
const MICROSOFT_ENVIRONMENT_HOST =
  /^[a-z0-9-]+\.(?:api\.)?crm(?:[2-9]|1\d|2[01])?\.(?:dynamics\.com|microsoftdynamics\.us|appsplatform\.us|dynamics\.cn)$/;
const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;

export function cloudOf(suffix: string): DataverseCloud {
  if (suffix === "crm9.dynamics.com") return "GCC";
  if (suffix.endsWith("microsoftdynamics.us")) return "GCC_HIGH";
  if (suffix.endsWith("appsplatform.us")) return "DOD";
  if (suffix.endsWith("dynamics.cn")) return "CHINA";
  return "PUBLIC";
}

export function normaliseEnvironmentUrl(input: string, allowedSuffixes: readonly string[]): EnvironmentUrl {
  const raw = input.trim();
  if (raw === "")
    throw new EnvironmentUrlError(
      "empty",
      "Enter the URL of your Dataverse environment, e.g. https://contoso.crm.dynamics.com.",
    );
  if (raw.length > 2048) throw new EnvironmentUrlError("too-long", "That is too long to be an environment URL.");
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `https://${raw}`;
  let parsed: URL;
  try {
    parsed = new URL(withScheme);
  } catch {
    throw new EnvironmentUrlError(
      "malformed",
      "That is not a valid URL. It should look like https://contoso.crm.dynamics.com.",
    );
  }
  // Plain http is upgraded: the portal only ever talks to Dataverse over HTTPS.
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") {
    throw new EnvironmentUrlError("scheme", "Environment URLs start with https://.");
  }
  if (parsed.username || parsed.password) {
    throw new EnvironmentUrlError(
      "credentials",
      "Remove the user name or password from the URL; the portal never sends credentials in a URL.",
    );
  }
  const host = parsed.hostname.toLowerCase().replace(/\.$/, "");
  if (IPV4.test(host) || host.startsWith("[") || host.includes(":")) {
    throw new EnvironmentUrlError(
      "ip-address",
      "Use the environment's name (e.g. contoso.crm.dynamics.com), not an IP address.",
    );
  }
  // Longest suffix first, so crm.dynamics.com does not shadow a more specific entry.
  const suffix = [...allowedSuffixes].sort((a, b) => b.length - a.length).find((s) => host.endsWith(`.${s}`));
  if (!suffix && MICROSOFT_ENVIRONMENT_HOST.test(host)) {
    // A real environment address, but not one this portal is set up for (another cloud, or the demo's emulator).
    const examples = allowedSuffixes.slice(0, 2).join(" or ");
    throw new EnvironmentUrlError(
      "outside-allow-list",
      `${host} is a Dataverse address, but this portal connects only to environments ending in ${examples}${allowedSuffixes.length > 2 ? " and the like" : ""}.`,
      host,
    );
  }
  if (!suffix) {
    throw new EnvironmentUrlError(
      "not-dataverse",
      `${host} is not a Dataverse environment address. Environment URLs end in a Dynamics region host such as crm.dynamics.com or crm4.dynamics.com; copy it from the Power Platform admin center (Environments → your environment → Environment URL).`,
    );
  }
  const labels = host.slice(0, -(suffix.length + 1)).split(".");
  const orgName = labels.length === 2 && labels[1] === "api" ? labels[0]! : labels.length === 1 ? labels[0]! : null;
  if (!orgName || !ORG_LABEL.test(orgName) || orgName === "api") {
    throw new EnvironmentUrlError(
      "not-dataverse",
      `${host} is not a Dataverse environment address; it should be <name>.${suffix}.`,
    );
  }
  // A port other than 443 only makes sense for loopback names (RFC 6761 .localhost) used in local testing.
  const port = parsed.port && parsed.port !== "443" ? parsed.port : "";
  if (port && !suffix.endsWith("localhost")) {
    throw new EnvironmentUrlError(
      "port",
      "Dataverse environments are reached on the standard HTTPS port; remove the port from the URL.",
    );
  }
  const hostPort = (h: string) => (port ? `${h}:${port}` : h);
  const canonicalHost = `${orgName}.${suffix}`;
  return {
    url: `https://${hostPort(canonicalHost)}`,
    apiUrl: `https://${hostPort(`${orgName}.api.${suffix}`)}`,
    host: canonicalHost,
    orgName,
    suffix,
    cloud: cloudOf(suffix),
  };
}
