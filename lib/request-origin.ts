import "server-only";

import { headers } from "next/headers";
import { config } from "@/lib/config";

/**
 * The origin the browser used, for links back to the portal. The configured AUTH_URL wins when set; otherwise the
 * Host header over http, or X-Forwarded-Host / X-Forwarded-Proto when TRUST_FORWARDED_HEADERS says a proxy in front
 * sets them (anyone can send them; Next itself fills them in from Host when they are absent).
 */
export async function requestOrigin(): Promise<string> {
  const c = config();
  if (c.publicUrl) return c.publicUrl;
  const h = await headers();
  const first = (name: string) => (c.trustForwardedHeaders ? h.get(name)?.split(",")[0]?.trim() || null : null);
  const host = first("x-forwarded-host") ?? h.get("host") ?? `localhost:${c.port}`;
  const proto = first("x-forwarded-proto") === "https" ? "https" : "http";
  return `${proto}://${host}`;
}
