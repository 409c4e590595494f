import "server-only";

// The purchase a landing page showed, carried across the Microsoft sign-in in the return address: the
// subscription's id and an expiry, sealed with an HMAC of the session secret so that it cannot be edited to name
// another purchase. It is not the purchase token (never kept, never put in another URL: M-61).
import { createHmac, timingSafeEqual } from "node:crypto";
import { config } from "@/lib/config";

const PURPOSE = "marketplace-purchase";
/** As long as the landing token itself is valid (docs/protocol/marketplace.md M-20). */
const LIFETIME_SECONDS = 24 * 60 * 60;
const HEX_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const mac = (payload: string, secret: string) => createHmac("sha256", secret).update(`${PURPOSE}:${payload}`).digest();

export function sealPurchaseReference(
  subscriptionId: string,
  now = Date.now(),
  secret = config().sessionSecret,
): string {
  const payload = `${subscriptionId.toLowerCase()}.${Math.floor(now / 1000) + LIFETIME_SECONDS}`;
  return `${payload}.${mac(payload, secret).toString("base64url")}`;
}

/** The subscription id, or null when the reference is malformed, edited or expired. */
export function openPurchaseReference(
  reference: string,
  now = Date.now(),
  secret = config().sessionSecret,
): string | null {
  if (reference.length > 200) return null;
  const [id, exp, signature, extra] = reference.split(".");
  if (!id || !exp || !signature || extra !== undefined || !HEX_ID.test(id) || !/^\d{1,12}$/.test(exp)) return null;
  const expected = mac(`${id}.${exp}`, secret);
  const given = Buffer.from(signature, "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  return Number(exp) * 1000 > now ? id : null;
}
