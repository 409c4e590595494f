/**
 * How an environment is named on the customer's pages: its friendly name, else the environment's own name in its
 * address (the first label of its host, e.g. "contoso" for https://contoso.crm4.dynamics.com).
 */
export function environmentName(environment: { friendlyName: string | null; url: string }): string {
  if (environment.friendlyName) return environment.friendlyName;
  try {
    return new URL(environment.url).hostname.split(".")[0] || environment.url;
  } catch {
    return environment.url.replace(/^https:\/\//, "");
  }
}
