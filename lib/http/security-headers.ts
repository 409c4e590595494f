// The security headers every response carries, pages and route handlers alike (set by proxy.ts). Pure, so a
// unit test can read the policy; the proxy supplies a fresh nonce per request.
//
// The Content-Security-Policy is nonce-based: Next.js reads the nonce from the CSP *request* header the proxy
// adds and stamps it on its own scripts (node_modules/next/dist/docs/01-app/02-guides/content-security-policy.md),
// which forces dynamic rendering; every page here renders per request already (app/layout.tsx).

/** The request header that hands the nonce to route handlers that write their own HTML. */
export const NONCE_HEADER = "x-nonce";

export type SecurityHeaderOptions = {
  nonce: string;
  /** AUTH_URL is https: cookies are Secure, HSTS is sent and stray http subresources are upgraded. */
  https: boolean;
  /** Origins a form may post to besides the portal: the Entra authority (sign-in and admin consent). */
  formActionOrigins: string[];
  /** `next dev` needs eval for React's debugging aids; a production build never does. */
  development?: boolean;
};

export function contentSecurityPolicy({
  nonce,
  https,
  formActionOrigins,
  development = false,
}: SecurityHeaderOptions): string {
  const directives = [
    "default-src 'self'",
    // 'strict-dynamic' lets the nonce-stamped bootstrap load Next's chunks; 'self' is the CSP2 fallback.
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${development ? " 'unsafe-eval'" : ""}`,
    // Tailwind's stylesheet is a file; the few inline <style> elements (the consent callback's plain pages)
    // carry the nonce, so no 'unsafe-inline' and no style="" attributes anywhere.
    `style-src 'self' 'nonce-${nonce}'`,
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    // Without JavaScript, "Sign in" and "Grant admin consent" are form posts answered with a redirect to Entra,
    // and Chromium applies form-action to that redirect too.
    `form-action 'self' ${formActionOrigins.join(" ")}`.trim(),
    "frame-ancestors 'none'",
    ...(https ? ["upgrade-insecure-requests"] : []),
  ];
  return directives.join("; ");
}

/** Features the portal never uses, switched off for it and anything it might embed. */
export const PERMISSIONS_POLICY = [
  "accelerometer=()",
  "autoplay=()",
  "camera=()",
  "display-capture=()",
  "geolocation=()",
  "gyroscope=()",
  "magnetometer=()",
  "microphone=()",
  "payment=()",
  "usb=()",
  "browsing-topics=()",
].join(", ");

export function securityHeaders(options: SecurityHeaderOptions): Record<string, string> {
  return {
    "Content-Security-Policy": contentSecurityPolicy(options),
    // For browsers without frame-ancestors; the environments page's one-click Remove must never render in a frame.
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": PERMISSIONS_POLICY,
    ...(options.https ? { "Strict-Transport-Security": "max-age=63072000; includeSubDomains" } : {}),
  };
}
