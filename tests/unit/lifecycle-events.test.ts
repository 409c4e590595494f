// The lifecycle events (lib/events): every event type with its one payload shape — whether it names an environment,
// and the fields of its `data` — and lib/events as the only module that hands events to the webhook outbox.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { EVENT_PAYLOADS, LIFECYCLE_EVENT_TYPES } from "@/lib/events";

const subscription = {
  subscriptionId: "string",
  offerId: "string",
  planId: "string",
  quantity: "integer|null",
  status: "string",
  "previousPlanId?": "string",
  "previousQuantity?": "integer|null",
};
const transition = {
  from: "string|null",
  to: "string",
  cause: "string|null",
  causeId: "string|null",
  brokenSince: "string|null",
  checkId: "string",
};

/** A payload's `data` as { field: type } ("?" after an optional field's name). */
function fields(schema: z.ZodObject): Record<string, string> {
  type Property = { type?: string | string[]; anyOf?: Property[] };
  const typeOf = (p: Property): string => (p.anyOf ? p.anyOf.map(typeOf).join("|") : [p.type ?? "?"].flat().join("|"));
  const json = z.toJSONSchema(schema, { io: "input" }) as {
    properties?: Record<string, Property>;
    required?: string[];
  };
  return Object.fromEntries(
    Object.entries(json.properties ?? {}).map(([name, p]) => [
      json.required?.includes(name) ? name : `${name}?`,
      typeOf(p),
    ]),
  );
}

describe("lifecycle events", () => {
  it("each event type has one payload shape", () => {
    const table = Object.fromEntries(
      LIFECYCLE_EVENT_TYPES.map((type) => [
        type,
        { environment: EVENT_PAYLOADS[type].environment, data: fields(EVENT_PAYLOADS[type].data) },
      ]),
    );
    expect(table).toEqual({
      "connection.ready": { environment: "required", data: {} },
      "connection.broken": { environment: "required", data: transition },
      "connection.recovered": { environment: "required", data: transition },
      "consent.removed": { environment: "none", data: { because: "string" } },
      "tenant.disconnected": { environment: "none", data: {} },
      "subscription.activated": { environment: "none", data: subscription },
      "subscription.suspended": { environment: "none", data: subscription },
      "subscription.reinstated": { environment: "none", data: subscription },
      "subscription.unsubscribed": { environment: "none", data: subscription },
      "subscription.plan_changed": { environment: "none", data: subscription },
    });
  });

  it("a payload outside its shape is refused", () => {
    expect(
      EVENT_PAYLOADS["consent.removed"].data.safeParse({ because: "re-verification", from: "HEALTHY" }).success,
    ).toBe(false);
    expect(EVENT_PAYLOADS["connection.ready"].data.safeParse({ checkId: "x" }).success).toBe(false);
  });

  it("only lib/events hands events to the webhook outbox and the alert e-mails", () => {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        if (e.isDirectory()) {
          if (e.name !== "generated") walk(join(dir, e.name));
        } else if (/\.tsx?$/.test(e.name)) files.push(join(dir, e.name));
      }
    };
    for (const root of ["lib", "app", "components"]) walk(root);
    const callers = files
      .filter((f) => /\b(publishLifecycleEvent|queueAlertMails)\(/.test(readFileSync(f, "utf8")))
      .sort();
    expect(callers).toEqual(["lib/events/index.ts", "lib/notifications/alerts.ts", "lib/webhooks/index.ts"]);
  });
});
