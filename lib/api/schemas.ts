import "server-only";

// The API's contract (/api/v1), in zod: the routes validate their input with these schemas and shape their
// output with them, and lib/api/openapi.ts generates the OpenAPI 3.1 document from the same objects (one source).
import { z } from "zod";
import { CONNECTION_STATE_DESCRIPTIONS, CONNECTION_STATES } from "@/lib/api/connection-state";
import { LIFECYCLE_EVENT_TYPES } from "@/lib/events/types";
import { microsoftGuid } from "@/lib/validators";
import { API_SUBSCRIPTION_STATUSES } from "@/lib/subscriptions/vocabulary";

export const MAX_PAGE_SIZE = 200;
export const DEFAULT_PAGE_SIZE = 50;

const isoTime = z.iso.datetime({ offset: true });

export const connectionState = z.enum(CONNECTION_STATES).meta({
  id: "ConnectionState",
  description: Object.entries(CONNECTION_STATE_DESCRIPTIONS)
    .map(([k, v]) => `\`${k}\`: ${v}`)
    .join("; "),
});

export const environmentSchema = z
  .object({
    id: microsoftGuid().meta({ description: "The portal's id of the environment registration." }),
    url: z.url().meta({
      description: "The environment's Web API origin, e.g. https://contoso.crm4.dynamics.com.",
      example: "https://contoso.crm4.dynamics.com",
    }),
    organizationId: microsoftGuid().nullable().meta({ description: "Dataverse organization id, when known." }),
    region: z.string().nullable().meta({
      description: "The region label of the URL (crm = North America, crm4 = Europe, crm11 = United Kingdom, …).",
      example: "crm4",
    }),
    cloud: z.enum(["public", "gcc", "gcc_high", "dod", "china"]),
    friendlyName: z.string().nullable(),
    state: connectionState,
    lastVerifiedAt: isoTime
      .nullable()
      .meta({ description: "When the latest finished connection check started (UTC)." }),
    failingStep: z
      .string()
      .nullable()
      .meta({ description: "The first failing step of the latest check, when it failed." }),
    registeredAt: isoTime,
  })
  .meta({ id: "Environment" });

export const subscriptionSummarySchema = z
  .object({
    id: z
      .string()
      .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)
      .meta({ description: "Microsoft's SaaS subscription id (8-4-4-4-12 hex; not always an RFC 4122 UUID)." }),
    offerId: z.string(),
    planId: z.string().meta({ example: "professional" }),
    quantity: z.int().nullable().meta({ description: "Seats, for a plan sold per seat; null otherwise." }),
    status: z.enum(API_SUBSCRIPTION_STATUSES).meta({
      description:
        "`pending`: bought, not activated yet; `subscribed`: active; `suspended`: Microsoft suspended it (payment); `unsubscribed`: cancelled, final.",
    }),
    activatedAt: isoTime.nullable(),
  })
  .meta({
    id: "Subscription",
    description: "The customer's commercial-marketplace SaaS subscription (AppSource), when it bought one.",
  });

export const connectionSchema = z
  .object({
    tenantId: microsoftGuid().meta({ description: "The customer's Microsoft Entra tenant id." }),
    customerReference: z.string().nullable().meta({
      description: "Your own id for this customer, as set in the console or carried by the invitation.",
      example: "SUB-1042",
    }),
    displayName: z.string().nullable(),
    primaryDomain: z.string().nullable(),
    state: connectionState.meta({
      description: "The worst state among the tenant's environments (consent_removed when consent was removed).",
    }),
    consentGrantedAt: isoTime.nullable(),
    lastVerifiedAt: isoTime.nullable(),
    updatedAt: isoTime.meta({
      description: "Last change of the tenant or one of its environments; what `updatedSince` compares with.",
    }),
    environments: z.array(environmentSchema),
    subscription: subscriptionSummarySchema.nullable().meta({
      description:
        "The marketplace subscription that counts for this tenant (active before suspended, before pending, before cancelled); null when it bought none.",
    }),
  })
  .meta({ id: "Connection" });

export const connectionListSchema = z
  .object({
    data: z.array(connectionSchema),
    nextCursor: z
      .string()
      .nullable()
      .meta({ description: "Pass as `cursor` to get the next page; null on the last page." }),
  })
  .meta({ id: "ConnectionList" });

export const problemSchema = z
  .object({
    type: z.string().meta({ description: "A URI naming the kind of problem." }),
    title: z.string(),
    status: z.int(),
    detail: z.string().optional(),
    invalidParams: z.array(z.object({ name: z.string(), reason: z.string() })).optional(),
  })
  .meta({ id: "Problem", description: "RFC 9457 problem details (application/problem+json)." });

/** The list's query string. Unknown parameters are refused (strict), so a typo is an error, not a silent no-op. */
export const listQuerySchema = z
  .object({
    state: connectionState.optional().meta({ description: "Only connections in this state." }),
    updatedSince: isoTime
      .optional()
      .meta({ description: "Only connections changed at or after this time (ISO 8601 with offset)." }),
    cursor: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,200}$/, "must be a cursor returned by a previous page")
      .optional()
      .meta({ description: "Opaque: the `nextCursor` of the previous page." }),
    limit: z.coerce
      .number()
      .int("must be a whole number")
      .min(1, "must be at least 1")
      .max(MAX_PAGE_SIZE, `must be at most ${MAX_PAGE_SIZE}`)
      .optional()
      .meta({ description: `Page size, 1–${MAX_PAGE_SIZE} (default ${DEFAULT_PAGE_SIZE}).` }),
  })
  .strict();

export const tenantIdParamSchema = z.object({
  tenantId: microsoftGuid().meta({ description: "The customer's Microsoft Entra tenant id." }),
});

/** The body of a lifecycle event POSTed to WEBHOOK_URL (lib/webhooks/index.ts), signed (README). */
export const lifecycleEventSchema = z
  .object({
    id: microsoftGuid().meta({ description: "Unique per event; the same on every retry (de-duplicate on it)." }),
    type: z.enum(LIFECYCLE_EVENT_TYPES).meta({
      description:
        "`connection.ready`: an environment's first check that did not fail; `connection.broken` / `connection.recovered`: an environment stopped / started working again; `consent.removed`: the customer's administrator removed the app's consent; `tenant.disconnected`: the customer disconnected (its data is gone from the portal); `subscription.activated`, `subscription.suspended`, `subscription.reinstated`, `subscription.unsubscribed`, `subscription.plan_changed` (plan or seats): the customer's marketplace subscription changed, its facts in `data` (`subscriptionId`, `offerId`, `planId`, `quantity`, `status`, and `previousPlanId` / `previousQuantity` for a change).",
    }),
    occurredAt: isoTime,
    tenantId: microsoftGuid(),
    customerReference: z.string().nullable(),
    environment: z
      .object({ id: microsoftGuid(), url: z.url() })
      .nullable()
      .meta({ description: "The environment, for connection.* events; null otherwise." }),
    data: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
  })
  .meta({ id: "LifecycleEvent" });

export type LifecycleEventBody = z.infer<typeof lifecycleEventSchema>;
export type ApiConnection = z.infer<typeof connectionSchema>;
export type ApiEnvironment = z.infer<typeof environmentSchema>;
export type ListQuery = z.infer<typeof listQuerySchema>;
