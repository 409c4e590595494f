/**
 * Control of the emulated marketplace: what a customer does in AppSource, the Azure portal or the Microsoft 365
 * admin center (buy, change the plan or the seats, cancel), what Microsoft does on its own (suspend after a failed
 * payment, reinstate, renew), and the publisher's technical configuration. In process as `handle.admin.marketplace`
 * and over the loopback admin API as /_emulator/actions/marketplace*.
 */
import { z } from "zod";
import type { EmulatorContext } from "../context";
import type { NotificationDelivery } from "./runtime";
import { marketplaceSettingsSchema } from "./schema";
import type { MarketplaceScenario, MarketplaceSubscription, OperationAction } from "./schema";
import {
  deliverPendingNow,
  issueLandingToken,
  landingUrl,
  MarketplaceError,
  purchase,
  requireSubscription,
  resendNotification,
  startOperation,
  subscriptionBody,
  webhookToken,
} from "./service";
import type { PurchaseInput } from "./service";

export interface MarketplaceAdmin {
  /** The technical configuration (landing page URL, connection webhook) and the marketplace's settings. */
  configure(options: {
    landingPageUrl?: string | null;
    webhookUrl?: string | null;
    settings?: Partial<MarketplaceScenario["settings"]>;
  }): void;
  /** A customer buys a plan: returns the new subscription, its landing token and the landing URL with it. */
  purchase(input: PurchaseInput): { subscriptionId: string; token: string; landingUrl: string | null };
  /** "Configure account" / "Manage account" again: a new landing token (M-23). */
  landingToken(subscriptionId: string): { token: string; landingUrl: string | null };
  /** Every landing token of the subscription (or all) expires now. */
  expireTokens(subscriptionId?: string): void;
  operation(
    subscriptionId: string,
    action: OperationAction,
    change?: { planId?: string; quantity?: number },
  ): { operationId: string };
  /** The last notification of an operation, sent again (a repeated delivery). */
  resend(operationId: string): { deliveryId: string };
  /** Sends every notification waiting for its retry now. */
  deliverNow(): Promise<void>;
  /** Resolves when no notification is being sent (tests). */
  idle(): Promise<void>;
  notifications(): NotificationDelivery[];
  subscription(subscriptionId: string): Record<string, unknown>;
  subscriptions(): MarketplaceSubscription[];
  /** A genuine webhook bearer token, as Microsoft would send it now (tests of the publisher's checks). */
  webhookToken(): Promise<string>;
}

export class MarketplaceAdminError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function guard<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof MarketplaceError)
      throw new MarketplaceAdminError(error.status === 404 ? 404 : 400, error.message);
    throw error;
  }
}

function absoluteUrl(value: string | null | undefined, name: string): string | null | undefined {
  if (value === undefined || value === null) return value;
  try {
    const url = new URL(value);
    if (url.protocol !== "https:" && url.protocol !== "http:") throw new Error("scheme");
    // "Don't include the pound sign character (#) in the landing page URL" (M-69).
    if (value.includes("#")) throw new MarketplaceAdminError(400, `${name} must not contain '#'.`);
    return value;
  } catch (error) {
    if (error instanceof MarketplaceAdminError) throw error;
    throw new MarketplaceAdminError(400, `${name} must be an absolute http(s) URL.`);
  }
}

export function createMarketplaceAdmin(ctx: EmulatorContext): MarketplaceAdmin {
  const m = () => ctx.state.scenario.marketplace;
  return {
    configure(options) {
      const landing = absoluteUrl(options.landingPageUrl, "landingPageUrl");
      const webhook = absoluteUrl(options.webhookUrl, "webhookUrl");
      if (landing !== undefined) m().landingPageUrl = landing;
      if (webhook !== undefined) m().webhookUrl = webhook;
      if (options.settings) m().settings = marketplaceSettingsSchema.parse({ ...m().settings, ...options.settings });
    },
    purchase(input) {
      return guard(() => {
        const result = purchase(ctx, input);
        return { subscriptionId: result.subscription.id, token: result.token, landingUrl: result.landingUrl };
      });
    },
    landingToken(subscriptionId) {
      return guard(() => {
        const token = issueLandingToken(ctx, subscriptionId);
        return { token, landingUrl: landingUrl(ctx, token) };
      });
    },
    expireTokens(subscriptionId) {
      for (const entry of ctx.state.marketplace.tokens.values()) {
        if (!subscriptionId || entry.subscriptionId === subscriptionId.toLowerCase()) entry.expiresAt = Date.now() - 1;
      }
    },
    operation(subscriptionId, action, change = {}) {
      return guard(() => ({ operationId: startOperation(ctx, subscriptionId, action, change).id }));
    },
    resend(operationId) {
      return guard(() => ({ deliveryId: resendNotification(ctx, operationId).id }));
    },
    deliverNow: () => deliverPendingNow(ctx),
    async idle() {
      while (ctx.state.marketplace.inFlight > 0) await new Promise((resolve) => setTimeout(resolve, 10));
    },
    notifications: () => structuredClone(ctx.state.marketplace.deliveries),
    subscription: (subscriptionId) => guard(() => subscriptionBody(ctx, requireSubscription(ctx, subscriptionId))),
    subscriptions: () => structuredClone(m().subscriptions),
    webhookToken: () => webhookToken(ctx),
  };
}

const subscriptionArg = z.object({ subscriptionId: z.string() });
type Admin = { marketplace: MarketplaceAdmin };

/** The marketplace's entries of the admin API's action table (admin.ts ADMIN_ACTIONS). */
export const MARKETPLACE_ADMIN_ACTIONS: Record<
  string,
  { schema: z.ZodType; run: (admin: Admin, args: never) => unknown }
> = {
  marketplaceConfigure: {
    schema: z.object({
      landingPageUrl: z.string().nullable().optional(),
      webhookUrl: z.string().nullable().optional(),
      settings: marketplaceSettingsSchema.partial().optional(),
    }),
    run: (a, args: Parameters<MarketplaceAdmin["configure"]>[0]) => a.marketplace.configure(args),
  },
  marketplacePurchase: {
    schema: z.object({
      offerId: z.string().optional(),
      planId: z.string(),
      quantity: z.number().int().optional(),
      tenant: z.string(),
      user: z.string().optional(),
      purchaserTenant: z.string().optional(),
      purchaserUser: z.string().optional(),
      name: z.string().optional(),
      isTest: z.boolean().optional(),
      isFreeTrial: z.boolean().optional(),
    }),
    run: (a, args: PurchaseInput) => a.marketplace.purchase(args),
  },
  marketplaceLandingToken: {
    schema: subscriptionArg,
    run: (a, args: { subscriptionId: string }) => a.marketplace.landingToken(args.subscriptionId),
  },
  marketplaceExpireTokens: {
    schema: z.object({ subscriptionId: z.string().optional() }),
    run: (a, args: { subscriptionId?: string }) => a.marketplace.expireTokens(args.subscriptionId),
  },
  marketplaceChangePlan: {
    schema: subscriptionArg.extend({ planId: z.string() }),
    run: (a, args: { subscriptionId: string; planId: string }) =>
      a.marketplace.operation(args.subscriptionId, "ChangePlan", { planId: args.planId }),
  },
  marketplaceChangeQuantity: {
    schema: subscriptionArg.extend({ quantity: z.number().int() }),
    run: (a, args: { subscriptionId: string; quantity: number }) =>
      a.marketplace.operation(args.subscriptionId, "ChangeQuantity", { quantity: args.quantity }),
  },
  marketplaceSuspend: {
    schema: subscriptionArg,
    run: (a, args: { subscriptionId: string }) => a.marketplace.operation(args.subscriptionId, "Suspend"),
  },
  marketplaceReinstate: {
    schema: subscriptionArg,
    run: (a, args: { subscriptionId: string }) => a.marketplace.operation(args.subscriptionId, "Reinstate"),
  },
  marketplaceRenew: {
    schema: subscriptionArg,
    run: (a, args: { subscriptionId: string }) => a.marketplace.operation(args.subscriptionId, "Renew"),
  },
  marketplaceUnsubscribe: {
    schema: subscriptionArg,
    run: (a, args: { subscriptionId: string }) => a.marketplace.operation(args.subscriptionId, "Unsubscribe"),
  },
  marketplaceResend: {
    schema: z.object({ operationId: z.string() }),
    run: (a, args: { operationId: string }) => a.marketplace.resend(args.operationId),
  },
  marketplaceDeliverNow: { schema: z.object({}), run: (a) => a.marketplace.deliverNow() },
  marketplaceNotifications: { schema: z.object({}), run: (a) => a.marketplace.notifications() },
  marketplaceSubscription: {
    schema: subscriptionArg,
    run: (a, args: { subscriptionId: string }) => a.marketplace.subscription(args.subscriptionId),
  },
  marketplaceWebhookToken: { schema: z.object({}), run: async (a) => ({ token: await a.marketplace.webhookToken() }) },
};
