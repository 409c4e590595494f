/**
 * What the marketplace keeps at run time only (not part of the scenario): landing-page tokens, the log of webhook
 * notifications with every attempt, and the timers of retries and of the publisher's 10-second answer window.
 */

export interface LandingToken {
  token: string;
  subscriptionId: string;
  /** Epoch ms. */
  expiresAt: number;
}

export interface NotificationAttempt {
  at: string;
  /** The publisher's HTTP status, or null when no answer came. */
  status: number | null;
  error?: string;
  durationMs: number;
}

export type DeliveryState = "pending" | "delivered" | "rejected" | "failed" | "no-webhook";

export interface NotificationDelivery {
  id: string;
  operationId: string;
  subscriptionId: string;
  action: string;
  url: string | null;
  /** The exact JSON body every attempt sends. */
  body: string;
  state: DeliveryState;
  attempts: NotificationAttempt[];
  /** Epoch ms of the next attempt while pending. */
  nextAttemptAt: number | null;
  /** An attempt is in flight (a retry and "deliver now" never overlap). */
  sending?: boolean;
}

export class MarketplaceRuntime {
  readonly tokens = new Map<string, LandingToken>();
  deliveries: NotificationDelivery[] = [];
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  /** Deliveries in flight (so tests can wait for quiet). */
  inFlight = 0;

  /** Runs `fn` after `ms`; never keeps the process alive; cleared by clear(). */
  schedule(fn: () => void, ms: number): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    timer.unref();
    this.timers.add(timer);
  }

  clear(): void {
    this.tokens.clear();
    this.deliveries = [];
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}
