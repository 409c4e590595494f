// Malformed requests to the marketplace's two doors never get a 5xx (issue 22): the connection webhook (no token,
// junk and forged tokens, Microsoft's own token with junk bodies, wrong methods and content types, oversized and
// deeply nested bodies) and the landing page (junk, oversized and repeated tokens, forged purchase references and
// problems, the activation route) — signed out and signed in. A fixed list (no randomness); the test prints how many
// requests were sent and the statuses seen.
import { expect, test, type APIRequestContext } from "@playwright/test";
import { emulator, signInAs } from "./support/emulator";

const MEGAN = "megan@contoso.onmicrosoft.com";
const WEBHOOK = "/api/marketplace/webhook";
const ID = "4aea5574-281c-7b2f-de26-e0f8369bc2d2";
const OTHER_ID = "b8d6908b-0058-413a-cd62-b6761cf31997";

test.setTimeout(240_000);

type Case = { label: string; method: string; url: string; headers?: Record<string, string>; data?: string | Buffer };

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

function webhookCases(genuine: string): Case[] {
  const alg = b64({ alg: "none", typ: "JWT" });
  const claims = b64({ aud: "x", iss: "y", exp: 9_999_999_999 });
  const authorizations = [
    "",
    "Bearer",
    "Bearer ",
    "Basic dXNlcjpwYXNz",
    "Bearer a.b",
    "Bearer a.b.c",
    `Bearer ${alg}.${claims}.`,
    `Bearer ${genuine.slice(0, -6)}AAAAAA`,
    `Bearer ${"A".repeat(10_000)}.${"B".repeat(10)}.${"C".repeat(10)}`,
    "bearer  x y z",
    `Bearer ${genuine}, Bearer ${genuine}`,
    "Bearer é.ü.ñ",
    `Bearer ${genuine.split(".").slice(0, 2).join(".")}.`,
    `Bearer ${b64({ alg: "HS256", kid: "x" })}.${claims}.c2ln`,
  ];
  const deep = `${"[".repeat(20_000)}${"]".repeat(20_000)}`;
  const bodies: Array<[string, string | Buffer]> = [
    ["empty", ""],
    ["brace", "{"],
    ["null", "null"],
    ["array", "[]"],
    ["number", "1"],
    ["string", '"x"'],
    ["object", "{}"],
    ["numeric id", '{"id":1}'],
    ["bad ids", '{"id":"x","subscriptionId":"y","action":""}'],
    ["unconfirmed", JSON.stringify({ id: ID, subscriptionId: OTHER_ID, action: "ChangePlan", status: "InProgress" })],
    ["long action", JSON.stringify({ id: ID, subscriptionId: OTHER_ID, action: "A".repeat(1000) })],
    ["deep", deep],
    ["oversized", `{"id":"${"x".repeat(300_000)}"}`],
    ["bad utf-8", Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d])],
    ["unicode", JSON.stringify({ id: "\u202e\u0000\ud83d\ude00", subscriptionId: "\u0000", action: "Suspend" })],
    [
      "proto",
      '{"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}},"id":"' +
        ID +
        '","subscriptionId":"' +
        OTHER_ID +
        '","action":"Suspend"}',
    ],
    ["huge number", '{"id":1e999999,"subscriptionId":-0,"action":true}'],
    ["duplicate keys", `{"id":"${ID}","id":"x","subscriptionId":"${OTHER_ID}","action":"Unsubscribe","action":null}`],
    [
      "nested subscription",
      JSON.stringify({
        id: ID,
        subscriptionId: OTHER_ID,
        action: "Renew",
        subscription: { id: [1, 2], beneficiary: "x" },
        quantity: "lots",
      }),
    ],
    [
      "unknown action",
      JSON.stringify({ id: OTHER_ID, subscriptionId: ID, action: "Transfer", timeStamp: "yesterday" }),
    ],
  ];
  const cases: Case[] = [];
  for (const authorization of authorizations) {
    cases.push({
      label: `auth ${authorization.slice(0, 20)}`,
      method: "POST",
      url: WEBHOOK,
      headers: { "Content-Type": "application/json", ...(authorization ? { Authorization: authorization } : {}) },
      data: bodies[9]![1],
    });
  }
  for (const [name, body] of bodies) {
    for (const [who, authorization] of [
      ["no token", undefined],
      ["junk token", "Bearer junk"],
      ["Microsoft's token", `Bearer ${genuine}`],
    ] as const) {
      cases.push({
        label: `${name} body, ${who}`,
        method: "POST",
        url: WEBHOOK,
        headers: { "Content-Type": "application/json", ...(authorization ? { Authorization: authorization } : {}) },
        data: body,
      });
    }
  }
  for (const type of [
    "text/plain",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=zz",
    "multipart/form-data",
    "application/xml",
    "application/json; charset=utf-16",
  ]) {
    cases.push({
      label: `content type ${type}`,
      method: "POST",
      url: WEBHOOK,
      headers: { "Content-Type": type, Authorization: `Bearer ${genuine}` },
      data: "--zz\r\nContent-Disposition: form-data\r\n\r\nno end",
    });
  }
  for (const method of ["GET", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"])
    cases.push({ label: `${method} webhook`, method, url: WEBHOOK });
  for (const query of ["?api-version=2018-08-31", "?%", `?token=${"x".repeat(5000)}`])
    cases.push({
      label: `webhook${query.slice(0, 20)}`,
      method: "POST",
      url: `${WEBHOOK}${query}`,
      headers: { "Content-Type": "application/json" },
      data: "{}",
    });
  return cases;
}

function landingCases(): Case[] {
  const tokens = [
    "",
    " ",
    "%",
    "%ZZ",
    "%E0%A4%A",
    "+",
    "a",
    encodeURIComponent("QUJD+/=="),
    encodeURIComponent(Buffer.alloc(148, 7).toString("base64")),
    "A".repeat(5000),
    "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    "..%2F..%2Fetc%2Fpasswd",
    "%00%00",
    "token%20with%20spaces%20and%20more%20than%20sixteen",
    "%E2%80%AE%F0%9F%98%80",
    "%27%3B%20drop%20table%20--",
    "a&token=b",
    "x&purchase=y",
    "eyJhbGciOiJub25lIn0.e30.",
    encodeURIComponent("ab+cd/ef==ab+cd/ef==ab+cd/ef=="),
    "%0d%0aSet-Cookie:%20x=1",
    "undefined",
    "null",
    "%FF%FE",
    `${"%2B".repeat(3000)}`,
  ];
  const references = [
    "x",
    "",
    `${ID}.1.x`,
    `${ID}.9999999999.AAAA`,
    `${ID}.99999999999999.${"A".repeat(43)}`,
    `${ID}.abc.def`,
    "a.b.c.d",
    "%",
    "A".repeat(500),
    `${ID.toUpperCase()}.9999999999.${"A".repeat(43)}`,
    "%00",
    "..%2F",
  ];
  const problems = [
    "other-organisation",
    "activation-failed",
    "cancelled",
    "unknown-purchase",
    "x",
    "%",
    "<b>",
    "A".repeat(1000),
  ];
  const cases: Case[] = [];
  for (const token of tokens)
    cases.push({ label: `landing token=${token.slice(0, 24)}`, method: "GET", url: `/consent?token=${token}` });
  for (const reference of references) {
    cases.push({
      label: `landing purchase=${reference.slice(0, 24)}`,
      method: "GET",
      url: `/consent?purchase=${reference}`,
    });
    cases.push({
      label: `activate purchase=${reference.slice(0, 24)}`,
      method: "GET",
      url: `/consent/activate?purchase=${reference}`,
    });
  }
  for (const problem of problems)
    cases.push({
      label: `landing problem=${problem.slice(0, 24)}`,
      method: "GET",
      url: `/consent?purchase=${ID}.1.x&problem=${problem}`,
    });
  cases.push({ label: "activate without purchase", method: "GET", url: "/consent/activate" });
  cases.push({ label: "activate repeated", method: "GET", url: "/consent/activate?purchase=a&purchase=b" });
  for (const method of ["POST", "PUT", "DELETE"])
    cases.push({
      label: `${method} activate`,
      method,
      url: `/consent/activate?purchase=x`,
      headers: { "Content-Type": "application/json" },
      data: "{",
    });
  cases.push({
    label: "landing token and source and invitation",
    method: "GET",
    url: "/consent?token=abc&source=%00&invitation=..&tenant=%E0",
  });
  return cases;
}

async function send(request: APIRequestContext, c: Case): Promise<number> {
  const response = await request.fetch(c.url, {
    method: c.method,
    headers: c.headers,
    data: c.data,
    maxRedirects: 0,
    timeout: 15_000,
    failOnStatusCode: false,
  });
  return response.status();
}

test("the webhook and the landing page answer at least 200 malformed requests without a 5xx", async ({ page }) => {
  // From the emulator's own scenario, whatever the spec file before it in this worker staged (it signs in as Megan).
  await emulator.reset();
  const { token: genuine } = (await emulator.action("marketplaceWebhookToken")) as { token: string };
  const signedOut = [...webhookCases(genuine), ...landingCases()];
  const signedIn = landingCases();
  const seen = new Map<number, number>();
  const failures: string[] = [];
  const run = async (request: APIRequestContext, cases: Case[], who: string) => {
    for (const c of cases) {
      const status = await send(request, c);
      seen.set(status, (seen.get(status) ?? 0) + 1);
      if (status >= 500) failures.push(`${who}: ${c.label} → ${status}`);
    }
  };
  await run(page.request, signedOut, "signed out");
  await signInAs(page, MEGAN);
  await run(page.request, signedIn, "signed in");
  const total = signedOut.length + signedIn.length;
  console.log(
    `marketplace fuzz: ${total} requests; statuses ${[...seen.entries()]
      .sort()
      .map(([s, n]) => `${s}×${n}`)
      .join(", ")}`,
  );
  expect(total).toBeGreaterThanOrEqual(200);
  expect(failures).toEqual([]);
  // The webhook refused every call that did not carry Microsoft's token.
  expect(seen.get(401) ?? 0).toBeGreaterThanOrEqual(40);
});
