import "server-only";

// The OpenAPI 3.1 description of /api/v1, generated from the zod schemas the routes validate with and shape their
// answers with (lib/api/schemas.ts): one source, so the document cannot drift from the code.
import { z } from "zod";
import { createDocument } from "zod-openapi";
import { CONNECTIONS_READ_ROLE } from "@/lib/api/auth";
import {
  connectionListSchema,
  connectionSchema,
  lifecycleEventSchema,
  listQuerySchema,
  MAX_PAGE_SIZE,
  problemSchema,
  tenantIdParamSchema,
} from "@/lib/api/schemas";
import { PROBLEM_CONTENT_TYPE } from "@/lib/api/problem";

const problem = (description: string, headers?: z.ZodObject) => ({
  description,
  ...(headers ? { headers } : {}),
  content: { [PROBLEM_CONTENT_TYPE]: { schema: problemSchema } },
});

const challenge = z.object({
  "WWW-Authenticate": z.string().meta({
    description: 'RFC 6750 challenge, e.g. Bearer realm="api/v1", error="invalid_token", error_description="…"',
  }),
});
const etagHeaders = z.object({
  ETag: z.string().meta({ description: "Strong validator of the body; send it back as If-None-Match." }),
});
const retryAfter = z.object({ "Retry-After": z.string().meta({ description: "Seconds to wait." }) });
const ifNoneMatch = z.object({
  "if-none-match": z
    .string()
    .optional()
    .meta({ description: "An ETag from an earlier answer: 304 when nothing changed." }),
});

const refusals = {
  "401": problem(
    "No token, or a token that is not valid: wrong issuer (another tenant), wrong audience, expired, bad signature.",
    challenge,
  ),
  "403": problem(`A valid token without the application role ${CONNECTIONS_READ_ROLE}, or a user token.`, challenge),
  "429": problem(
    "Too many requests from this application this minute (API_RATE_LIMIT_PER_MINUTE, counted across every portal replica).",
    retryAfter,
  ),
  "503": problem("The portal cannot validate tokens right now (Entra ID unreachable, or not configured).", retryAfter),
};

export function openApiDocument(serverUrl: string) {
  return createDocument({
    openapi: "3.1.0",
    info: {
      title: "Tenant Onboarding Portal: connections API",
      version: "1.0.0",
      description:
        `What the portal knows about every customer connection, for the vendor's own back end. Authenticate with a Microsoft Entra ` +
        `access token from the vendor's tenant for the portal's API (client credentials, scope api://<portal client id>/.default) ` +
        `carrying the application role ${CONNECTIONS_READ_ROLE}. Errors are application/problem+json (RFC 9457). Times are ISO 8601 UTC.`,
    },
    servers: [{ url: `${serverUrl}/api/v1` }],
    security: [{ entra: [] }],
    components: {
      securitySchemes: {
        entra: {
          type: "http",
          scheme: "bearer",
          bearerFormat: "JWT",
          description: `Entra ID v2.0 access token with roles ⊇ [${CONNECTIONS_READ_ROLE}].`,
        },
      },
    },
    paths: {
      "/connections": {
        get: {
          operationId: "listConnections",
          summary: "Every connected tenant with its environments",
          description: `Cursor-paginated in tenant id order (at most ${MAX_PAGE_SIZE} a page). Unknown parameters are refused.`,
          requestParams: { query: listQuerySchema, header: ifNoneMatch },
          responses: {
            "200": {
              description: "A page of connections.",
              headers: etagHeaders,
              content: { "application/json": { schema: connectionListSchema } },
            },
            "304": { description: "Not modified since the ETag given in If-None-Match.", headers: etagHeaders },
            "400": problem("A parameter is malformed or unknown (cursor, state, updatedSince, limit)."),
            ...refusals,
          },
        },
      },
      "/connections/{tenantId}": {
        get: {
          operationId: "getConnection",
          summary: "One connected tenant",
          requestParams: { path: tenantIdParamSchema, header: ifNoneMatch },
          responses: {
            "200": {
              description: "The connection.",
              headers: etagHeaders,
              content: { "application/json": { schema: connectionSchema } },
            },
            "304": { description: "Not modified since the ETag given in If-None-Match.", headers: etagHeaders },
            "400": problem("tenantId is not a GUID."),
            "404": problem("No connected tenant has this id."),
            ...refusals,
          },
        },
      },
    },
    webhooks: {
      lifecycleEvent: {
        post: {
          operationId: "lifecycleEvent",
          summary: "A lifecycle event, POSTed to WEBHOOK_URL",
          description:
            'Signed: header Portal-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(WEBHOOK_SECRET, "<t>.<raw body>")>. Answer 2xx within 10 s; anything else is retried with exponential backoff.',
          requestBody: { content: { "application/json": { schema: lifecycleEventSchema } } },
          responses: { "200": { description: "Received." } },
        },
      },
    },
  });
}
