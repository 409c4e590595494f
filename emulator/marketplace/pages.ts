/**
 * "Commercial marketplace (emulated)": one loopback page standing in for AppSource's checkout and the places a
 * customer manages a SaaS subscription (Azure portal, Microsoft 365 admin center) and for Microsoft's own events.
 * Buying sends the browser to the publisher's landing page with `?token=` (M-69); each subscription has the
 * buttons that start its operations (M-49), and the page lists every webhook notification with its attempts.
 */
import type { EmulatorContext } from "../context";
import { sameGuid } from "../guid";
import { escapeHtml, formBody, htmlResponse, redirectResponse } from "../http";
import type { EmulatorRequest, EmulatorResponse } from "../http";
import type { MarketplaceAdmin } from "./admin";
import { MarketplaceAdminError } from "./admin";
import { OPERATION_ACTIONS } from "./schema";
import type { OperationAction } from "./schema";

type Message = { kind: "ok" | "error"; text: string; html?: string };

function tenantName(ctx: EmulatorContext, tenantId: string): string {
  const tenant = ctx.state.tenantById(tenantId);
  return tenant?.organizationName ?? tenant?.displayName ?? tenantId;
}

function page(ctx: EmulatorContext, admin: MarketplaceAdmin, message?: Message): string {
  const m = ctx.state.scenario.marketplace;
  const e = escapeHtml;
  const planOptions = m.offers
    .flatMap((o) =>
      o.plans.map(
        (p) =>
          `<option value="${e(`${o.offerId} ${p.planId}`)}">${e(o.displayName)} — ${e(p.displayName)}${p.isPricePerSeat ? " (per seat)" : ""}</option>`,
      ),
    )
    .join("");
  const people = ctx.state.scenario.tenants
    .filter((t) => t.kind === "organization")
    .flatMap((t) =>
      t.users.map(
        (u) =>
          `<option value="${e(`${t.id} ${u.oid}`)}">${e(u.upn)} — ${e(t.organizationName ?? t.displayName)}</option>`,
      ),
    )
    .join("");
  const rows = m.subscriptions
    .map((s) => {
      const offer = m.offers.find((o) => o.offerId === s.offerId);
      const plans = (offer?.plans ?? [])
        .map(
          (p) =>
            `<option value="${e(p.planId)}"${p.planId === s.planId ? " selected" : ""}>${e(p.displayName)}</option>`,
        )
        .join("");
      const op = (action: OperationAction, label: string) =>
        `<form method="post" action="/_emulator/marketplace" class="inline"><input type="hidden" name="form" value="operation"><input type="hidden" name="subscriptionId" value="${e(s.id)}"><input type="hidden" name="action" value="${action}"><button type="submit">${label}</button></form>`;
      return `<tr><td>${e(s.name)}<br><code>${e(s.id)}</code></td><td>${e(tenantName(ctx, s.beneficiary.tenantId))}<br>${e(s.beneficiary.emailId)}</td><td>${e(s.planId)}${s.quantity !== undefined ? ` × ${s.quantity}` : ""}</td><td>${e(s.saasSubscriptionStatus)}</td>
<td>
<form method="post" action="/_emulator/marketplace" class="inline"><input type="hidden" name="form" value="operation"><input type="hidden" name="subscriptionId" value="${e(s.id)}"><input type="hidden" name="action" value="ChangePlan"><label class="inline">Plan <select name="planId" aria-label="New plan for ${e(s.name)}">${plans}</select></label><button type="submit">Change plan</button></form>
<form method="post" action="/_emulator/marketplace" class="inline"><input type="hidden" name="form" value="operation"><input type="hidden" name="subscriptionId" value="${e(s.id)}"><input type="hidden" name="action" value="ChangeQuantity"><label class="inline">Seats <input name="quantity" type="number" min="1" value="${s.quantity ?? 1}" aria-label="New seats for ${e(s.name)}"></label><button type="submit">Change seats</button></form>
${op("Suspend", "Suspend")} ${op("Reinstate", "Reinstate")} ${op("Renew", "Renew")} ${op("Unsubscribe", "Unsubscribe")}
<form method="post" action="/_emulator/marketplace" class="inline"><input type="hidden" name="form" value="landing"><input type="hidden" name="subscriptionId" value="${e(s.id)}"><button type="submit">Configure account</button></form>
</td></tr>`;
    })
    .join("");
  const notifications = admin
    .notifications()
    .slice(-30)
    .reverse()
    .map(
      (d) =>
        `<tr><td>${e(d.action)}</td><td><code>${e(d.subscriptionId)}</code></td><td>${e(d.state)}</td><td>${d.attempts.map((a) => e(a.status === null ? (a.error ?? "no answer") : String(a.status))).join(", ") || "—"}</td><td>${
          d.nextAttemptAt ? e(new Date(d.nextAttemptAt).toISOString()) : "—"
        }</td></tr>`,
    )
    .join("");
  const banner = message ? `<p role="status" class="${message.kind}">${message.html ?? e(message.text)}</p>` : "";
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Commercial marketplace (emulated)</title>
<style>body{font-family:"Segoe UI",system-ui,sans-serif;margin:32px;max-width:1200px}label{display:block;margin-top:12px;font-weight:600}label.inline{display:inline;margin:0 4px}
select,input{font-size:15px;padding:4px}input[name=quantity]{width:5em}button{margin:4px 4px 0 0;font-size:14px;padding:5px 12px;background:#0067b8;color:#fff;border:0}form.inline{display:inline}
table{border-collapse:collapse;margin-top:16px}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}.ok{color:#107c10}.error{color:#a80000}code{font-size:12px}</style></head>
<body><h1>Commercial marketplace (emulated)</h1>
<p>AppSource checkout, the customer's subscription management and Microsoft's own events, for the publisher <strong>${e(m.publisherId)}</strong>.</p>
${banner}
<h2>Technical configuration</h2>
<form method="post" action="/_emulator/marketplace"><input type="hidden" name="form" value="configure">
<label for="landingPageUrl">Landing page URL</label><input id="landingPageUrl" name="landingPageUrl" size="70" value="${e(m.landingPageUrl ?? "")}">
<label for="webhookUrl">Connection webhook</label><input id="webhookUrl" name="webhookUrl" size="70" value="${e(m.webhookUrl ?? "")}">
<br><button type="submit">Save</button></form>
<h2>Buy</h2>
<form method="post" action="/_emulator/marketplace"><input type="hidden" name="form" value="purchase">
<label for="plan">Offer and plan</label><select id="plan" name="plan">${planOptions}</select>
<label for="quantity">Seats (per-seat plans)</label><input id="quantity" name="quantity" type="number" min="1" value="5">
<label for="beneficiary">For (beneficiary)</label><select id="beneficiary" name="beneficiary">${people}</select>
<label for="purchaser">Bought by (purchaser)</label><select id="purchaser" name="purchaser"><option value="">The beneficiary</option>${people}</select>
<br><button type="submit">Buy and configure account</button></form>
<h2>Subscriptions</h2>
<table aria-label="Subscriptions"><thead><tr><th>Subscription</th><th>Beneficiary</th><th>Plan</th><th>Status</th><th>Actions</th></tr></thead><tbody>${rows || `<tr><td colspan="5">None yet.</td></tr>`}</tbody></table>
<h2>Webhook notifications</h2>
<form method="post" action="/_emulator/marketplace"><input type="hidden" name="form" value="deliver"><button type="submit">Retry pending now</button></form>
<table aria-label="Webhook notifications"><thead><tr><th>Action</th><th>Subscription</th><th>State</th><th>Attempts (HTTP status)</th><th>Next attempt</th></tr></thead><tbody>${notifications || `<tr><td colspan="5">None yet.</td></tr>`}</tbody></table>
</body></html>`;
}

function landed(
  ctx: EmulatorContext,
  admin: MarketplaceAdmin,
  result: { token: string; landingUrl: string | null },
): EmulatorResponse {
  if (result.landingUrl) return redirectResponse(result.landingUrl);
  return htmlResponse(
    200,
    page(ctx, admin, {
      kind: "ok",
      text: "",
      html: `No landing page URL is configured; the token is <code>${escapeHtml(result.token)}</code>`,
    }),
  );
}

export async function handleMarketplacePage(
  ctx: EmulatorContext,
  admin: MarketplaceAdmin,
  req: EmulatorRequest,
): Promise<EmulatorResponse> {
  if (req.method === "GET") return htmlResponse(200, page(ctx, admin));
  const form = formBody(req);
  try {
    switch (form.get("form")) {
      case "configure": {
        const url = (name: string) => {
          const value = (form.get(name) ?? "").trim();
          return value === "" ? null : value;
        };
        admin.configure({ landingPageUrl: url("landingPageUrl"), webhookUrl: url("webhookUrl") });
        return htmlResponse(200, page(ctx, admin, { kind: "ok", text: "Technical configuration saved." }));
      }
      case "purchase": {
        const [offerId, planId] = (form.get("plan") ?? "").split(" ");
        const [tenant, user] = (form.get("beneficiary") ?? "").split(" ");
        const [purchaserTenant, purchaserUser] = (form.get("purchaser") ?? "").split(" ");
        const quantity = Number(form.get("quantity") ?? "");
        const plan = ctx.state.scenario.marketplace.offers
          .find((o) => o.offerId === offerId)
          ?.plans.find((p) => p.planId === planId);
        const result = admin.purchase({
          ...(offerId ? { offerId } : {}),
          planId: planId ?? "",
          ...(plan?.isPricePerSeat && Number.isInteger(quantity) ? { quantity } : {}),
          tenant: tenant ?? "",
          ...(user ? { user } : {}),
          ...(purchaserTenant ? { purchaserTenant, ...(purchaserUser ? { purchaserUser } : {}) } : {}),
        });
        return landed(ctx, admin, result);
      }
      case "landing":
        return landed(ctx, admin, admin.landingToken(form.get("subscriptionId") ?? ""));
      case "operation": {
        const action = form.get("action") as OperationAction;
        if (!OPERATION_ACTIONS.includes(action)) throw new MarketplaceAdminError(400, `Unknown action '${action}'.`);
        const subscriptionId = form.get("subscriptionId") ?? "";
        const quantity = Number(form.get("quantity") ?? "");
        const planId = form.get("planId") ?? undefined;
        const { operationId } = admin.operation(subscriptionId, action, {
          ...(action === "ChangePlan" && planId ? { planId } : {}),
          ...(action === "ChangeQuantity" ? { quantity } : {}),
        });
        const subscription = admin.subscriptions().find((s) => sameGuid(s.id, subscriptionId));
        return htmlResponse(
          200,
          page(ctx, admin, {
            kind: "ok",
            text: `${action} started (operation ${operationId}) for ${subscription?.name ?? subscriptionId}; the publisher's webhook was called.`,
          }),
        );
      }
      case "deliver":
        await admin.deliverNow();
        return htmlResponse(200, page(ctx, admin, { kind: "ok", text: "Pending notifications sent again." }));
      default:
        throw new MarketplaceAdminError(400, "Unknown form.");
    }
  } catch (error) {
    if (error instanceof MarketplaceAdminError)
      return htmlResponse(400, page(ctx, admin, { kind: "error", text: error.message }));
    throw error;
  }
}
