/** How an environment is named on the customer's pages: its friendly name, else its address without the scheme. */
export function environmentName(environment: { friendlyName: string | null; url: string }): string {
  return environment.friendlyName ?? environment.url.replace(/^https:\/\//, "");
}
