import "server-only";

import { headers } from "next/headers";
import { config } from "@/lib/config";

/** The origin the browser used, for links back to the portal. The configured AUTH_URL wins when set. */
export async function requestOrigin(): Promise<string> {
  const configured = config().publicUrl;
  if (configured) return configured;
  const h = await headers();
  const host = h.get("x-forwarded-host") ?? h.get("host") ?? `localhost:${config().port}`;
  const proto = h.get("x-forwarded-proto") ?? "http";
  return `${proto}://${host}`;
}
