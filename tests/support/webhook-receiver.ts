// A stand-in for the ISV back end's webhook endpoint (integration and e2e tests): records every POST and checks its
// signature the way the README tells a receiver to — independently of the portal's code (node:crypto only).
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type Server } from "node:http";

export type ReceivedWebhook = {
  headers: Record<string, string>;
  body: string;
  json: Record<string, unknown>;
  /** Portal-Signature verified with the shared secret, timestamp within 5 minutes. */
  signatureValid: boolean;
};

export function verifySignature(
  secret: string,
  header: string | undefined,
  body: string,
  nowSeconds = Math.floor(Date.now() / 1000),
): boolean {
  if (!header) return false;
  const fields = new Map(header.split(",").map((p) => p.trim().split("=", 2) as [string, string]));
  const t = fields.get("t");
  const v1 = fields.get("v1");
  if (!t || !/^\d+$/.test(t) || !v1 || !/^[0-9a-f]{64}$/.test(v1)) return false;
  if (Math.abs(nowSeconds - Number(t)) > 300) return false;
  const expected = createHmac("sha256", secret).update(`${t}.${body}`).digest();
  return timingSafeEqual(expected, Buffer.from(v1, "hex"));
}

export type WebhookReceiver = {
  url: string;
  received: ReceivedWebhook[];
  /** Status codes for the next requests, in order (then 204). */
  failNext(...statuses: number[]): void;
  close(): Promise<void>;
};

export async function startWebhookReceiver(secret: string, port = 0): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const statuses: number[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const headers = Object.fromEntries(
        Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(",") : (v ?? "")]),
      );
      let json: Record<string, unknown> = {};
      try {
        json = JSON.parse(body) as Record<string, unknown>;
      } catch {
        // recorded as is
      }
      received.push({
        headers,
        body,
        json,
        signatureValid: verifySignature(secret, headers["portal-signature"], body),
      });
      res.statusCode = statuses.shift() ?? 204;
      res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  const actualPort = typeof address === "object" && address ? address.port : port;
  return {
    url: `http://127.0.0.1:${actualPort}/hooks/portal`,
    received,
    failNext: (...codes) => statuses.push(...codes),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
