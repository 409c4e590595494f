/**
 * Node does not resolve `*.localhost` here (browsers do, per RFC 6761). Clients of the emulator's
 * Dataverse hosts pass this lookup to their HTTP agent, e.g. with undici:
 *
 *   new Agent({ connect: loopbackAgentOptions().connect })   // then fetch(url, { dispatcher })
 */
import { lookup as dnsLookup } from "node:dns";
import type { LookupAddress, LookupOptions } from "node:dns";

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

export function isLocalhostName(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/\.$/, "");
  return h === "localhost" || h.endsWith(".localhost");
}

/** `dns.lookup`-compatible: *.localhost → 127.0.0.1, anything else → the system resolver. */
export function loopbackLookup(hostname: string, options: LookupOptions, callback: LookupCallback): void {
  if (isLocalhostName(hostname)) {
    if (options.all) callback(null, [{ address: "127.0.0.1", family: 4 }]);
    else callback(null, "127.0.0.1", 4);
    return;
  }
  dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) callback(error, []);
    else if (options.all) callback(null, addresses);
    else callback(null, addresses[0]?.address ?? "", addresses[0]?.family ?? 4);
  });
}

export function loopbackAgentOptions(): { connect: { lookup: typeof loopbackLookup } } {
  return { connect: { lookup: loopbackLookup } };
}
