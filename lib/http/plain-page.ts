import "server-only";

// A deliberately plain HTML answer for route handlers that refuse a request with a 4xx, before any app chrome.
// Its one <style> carries the request's CSP nonce (proxy.ts).
import { NextResponse, type NextRequest } from "next/server";
import { NONCE_HEADER } from "@/lib/http/security-headers";

const escape = (text: string) => text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

export function plainPage(
  request: NextRequest,
  status: number,
  title: string,
  body: string,
  link: { href: string; label: string },
): NextResponse {
  const nonce = (request.headers.get(NONCE_HEADER) ?? "").replace(/[^A-Za-z0-9+/=]/g, "");
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escape(title)}</title>
<style nonce="${nonce}">body{font-family:"Segoe UI",system-ui,sans-serif;color:#0f172a;background:#f8fafc;margin:0}main{max-width:40rem;margin:5rem auto;padding:0 1.5rem}h1{font-size:1.6rem}p{color:#334155;line-height:1.5}a{display:inline-block;margin-top:1rem;background:#1d4ed8;color:#fff;padding:.6rem 1rem;border-radius:.4rem;text-decoration:none;font-weight:600}</style></head>
<body><main><h1>${escape(title)}</h1><p>${escape(body)}</p><a href="${escape(link.href)}">${escape(link.label)}</a></main></body></html>`;
  return new NextResponse(html, {
    status,
    headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" },
  });
}

/**
 * HEAD for a redirect URI: without its own, Next answers HEAD with GET — and a link checker or preview fetcher
 * sending HEAD would redeem the single-use state. HEAD only says the address exists.
 */
export function inertHead(): NextResponse {
  return new NextResponse(null, {
    status: 200,
    headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" },
  });
}
