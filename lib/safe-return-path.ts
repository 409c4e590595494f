// Where to send someone after sign-in: only a path on this site (never "//evil.example" or a full URL).
// The answer goes into a Location header, which carries ASCII only: everything else is percent-encoded as UTF-8,
// as a browser would (raw, a character above U+00FF makes Node throw, and é goes out as Latin-1 and comes back
// as /Ã©). What is already percent-encoded is left as it is.
export function safeReturnPath(value: unknown, fallback = "/onboarding"): string {
  if (typeof value !== "string" || !value.startsWith("/") || value.startsWith("//") || value.includes("\\"))
    return fallback;
  if (value.length > 512 || [...value].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f))
    return fallback;
  try {
    // A lone surrogate cannot be encoded (URIError): not a path anyone typed.
    return value.replace(/[^\x21-\x7e]+/gu, (run) => encodeURIComponent(run));
  } catch {
    return fallback;
  }
}
