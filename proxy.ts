// Runs before every request, pages, route handlers, server actions and static files alike: malformed requests
// that Next itself would answer with a 500 are refused with a 4xx (lib/http/request-guard.ts), then a fresh CSP
// nonce for the page about to render, and the security headers on whatever answers (lib/http/security-headers.ts).
import { randomBytes } from "node:crypto";
import { NextResponse, type NextRequest } from "next/server";
import { config as portalConfig, servedOverHttps } from "@/lib/config";
import { rejectMalformedRequest, rejectUndecodableActionBody } from "@/lib/http/request-guard";
import { NONCE_HEADER, securityHeaders } from "@/lib/http/security-headers";

export async function proxy(request: NextRequest) {
  const c = portalConfig();
  const nonce = randomBytes(16).toString("base64");
  const headers = securityHeaders({
    nonce,
    https: servedOverHttps(c),
    formActionOrigins: [c.entra.authorityHost],
    development: process.env.NODE_ENV === "development",
  });
  const rejected = rejectMalformedRequest(request) ?? (await rejectUndecodableActionBody(request));
  if (rejected) {
    for (const [name, value] of Object.entries(headers)) rejected.headers.set(name, value);
    return rejected;
  }
  // Next.js takes the nonce for its own scripts from the CSP request header; route handlers that write HTML
  // read it from NONCE_HEADER. Whatever the client sent under those names is replaced.
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set(NONCE_HEADER, nonce);
  requestHeaders.set("Content-Security-Policy", headers["Content-Security-Policy"]!);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
  return response;
}
