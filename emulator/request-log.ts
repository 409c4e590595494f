/**
 * The request log: one entry per HTTP request (and per inner `$batch` request), so tests and the
 * demo can see exactly what a client did: which tenant a token was requested from, with which grant
 * and client authentication, and which environment a Dataverse call reached with whose token.
 */
export type RequestKind =
  | "entra.discovery"
  | "entra.keys"
  | "entra.authorize"
  | "entra.login"
  | "entra.consent"
  | "entra.adminconsent"
  | "entra.token"
  | "entra.logout"
  | "entra.userinfo"
  | "entra.other"
  | "dataverse"
  | "graph"
  | "marketplace"
  | "dataverse.batch-part"
  | "discovery"
  | "admin"
  | "ppac"
  | "identity"
  | "keyvault"
  | "unknown";

export type ClientAuthMethod =
  "client_secret_post" | "client_secret_basic" | "private_key_jwt" | "federated_assertion" | "none";

export interface RequestLogEntry {
  id: number;
  time: string;
  host: string;
  method: string;
  path: string;
  query: string;
  kind: RequestKind;
  status: number;
  durationMs: number;
  /** Token requests: the tenant segment as sent and the resolved tenant id. */
  tenant?: string;
  tenantId?: string;
  grantType?: string;
  clientAuth?: ClientAuthMethod;
  /** private_key_jwt: the SHA-1 thumbprint of the registered certificate the assertion was signed with. */
  certificateThumbprint?: string;
  clientId?: string;
  scope?: string;
  /** Entra errors: the AADSTS code; Dataverse errors: the hex code. */
  errorCode?: string;
  /** Dataverse: environment reached and the caller's token claims. */
  environment?: string;
  tokenTid?: string;
  tokenAppId?: string;
  tokenOid?: string;
  /** Set when a handler threw (should never happen in tests). */
  exception?: string;
}

export class RequestLog {
  private entries: RequestLogEntry[] = [];
  private nextId = 1;

  constructor(private readonly limit = 5000) {}

  begin(fields: Pick<RequestLogEntry, "host" | "method" | "path" | "query" | "kind">): RequestLogEntry {
    const entry: RequestLogEntry = {
      id: this.nextId++,
      time: new Date().toISOString(),
      status: 0,
      durationMs: 0,
      ...fields,
    };
    return entry;
  }

  commit(entry: RequestLogEntry): void {
    this.entries.push(entry);
    if (this.entries.length > this.limit) this.entries.splice(0, this.entries.length - this.limit);
  }

  list(): RequestLogEntry[] {
    return this.entries.map((e) => ({ ...e }));
  }

  clear(): void {
    this.entries = [];
  }
}
