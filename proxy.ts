// Runs before every request, pages, route handlers, server actions and static files alike: malformed requests
// that Next itself would answer with a 500 are refused with a 4xx (lib/http/request-guard.ts), then a fresh CSP
// nonce for the page about to render, and the security headers on whatever answers (lib/http/security-headers.ts).
import { randomBytes, randomUUID } from "node:crypto";
import { NextResponse, type NextRequest } from "next/server";
import { config as portalConfig, servedOverHttps } from "@/lib/config";
import { rejectMalformedRequest, rejectUndecodableActionBody } from "@/lib/http/request-guard";
import { NONCE_HEADER, securityHeaders } from "@/lib/http/security-headers";

const REQUEST_ID_HEADER = "x-request-id"; // lib/log.ts REQUEST_ID_HEADER (not imported: pino stays out of the proxy)
// A request id from a load balancer in front is kept when it looks like one; anything else is replaced.
const WELL_FORMED_REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

export async function proxy(request: NextRequest) {
  const c = portalConfig();
  const nonce = randomBytes(16).toString("base64");
  const headers = securityHeaders({
    nonce,
    https: servedOverHttps(c),
    formActionOrigins: [c.entra.authorityHost],
    development: process.env.NODE_ENV === "development",
  });
  const rejected =
    rejectMalformedRequest(request, { publicOrigin: c.publicUrl, trustForwardedHeaders: c.trustForwardedHeaders }) ??
    (await rejectUndecodableActionBody(request));
  if (rejected) {
    for (const [name, value] of Object.entries(headers)) rejected.headers.set(name, value);
    return rejected;
  }
  // Next.js takes the nonce for its own scripts from the CSP request header; route handlers that write HTML
  // read it from NONCE_HEADER. Whatever the client sent under those names is replaced.
  const requestHeaders = new Headers(request.headers);
  // Every log line of this request, and of the calls to Microsoft it causes, carries this id (lib/log.ts);
  // the response carries it too, so a customer or an engineer can quote it.
  const incomingId = request.headers.get(REQUEST_ID_HEADER);
  const requestId = incomingId && WELL_FORMED_REQUEST_ID.test(incomingId) ? incomingId : randomUUID();
  requestHeaders.set(REQUEST_ID_HEADER, requestId);
  requestHeaders.set(NONCE_HEADER, nonce);
  requestHeaders.set("Content-Security-Policy", headers["Content-Security-Policy"]!);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
  response.headers.set(REQUEST_ID_HEADER, requestId);
  return response;
}
