// The host names one Microsoft cloud's Entra ID answers on. Dataverse's unauthenticated challenge has named
// login.windows.net as well as login.microsoftonline.com for the public cloud (docs/protocol/pitfalls.md E,
// "Challenge host"), so the ownership probe compares clouds, not literal hosts.

const CLOUD_AUTHORITY_HOSTS: readonly (readonly string[])[] = [
  ["login.microsoftonline.com", "login.windows.net", "login.microsoft.com", "sts.windows.net"],
  ["login.microsoftonline.us", "login.usgovcloudapi.net"],
  ["login.chinacloudapi.cn", "login.partner.microsoftonline.cn"],
];

/** Whether two authority hosts (host[:port]) belong to the same cloud: equal, or aliases of one another. */
export function sameCloudAuthority(a: string, b: string): boolean {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  if (x === y) return true;
  return CLOUD_AUTHORITY_HOSTS.some((aliases) => aliases.includes(x) && aliases.includes(y));
}
