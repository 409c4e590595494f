// Minimal request pre-check (issue 9): malformed server-action requests get a 4xx instead of Next's 500.
// To be merged with the security-headers proxy (nonce CSP) being added on another branch: keep the logic in
// lib/http/request-guard.ts and call it first from that proxy.
import { NextResponse, type NextRequest } from "next/server";
import { rejectMalformedRequest, rejectUndecodableActionBody } from "@/lib/http/request-guard";

export async function proxy(request: NextRequest) {
  return rejectMalformedRequest(request) ?? (await rejectUndecodableActionBody(request)) ?? NextResponse.next();
}

export const config = { matcher: ["/((?!_next/static|_next/image|favicon.ico).*)"] };
