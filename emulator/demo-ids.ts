/**
 * Stable identifiers of the demo scenario (documented in emulator/README.md). Tenants and the app
 * have hand-picked GUIDs; everything else is derived with `stableGuid` from names.
 */
import { CONSUMER_TENANT_ID } from "./directory-roles";

export const DEMO_IDS = {
  clientId: "5e7b9c1d-2f4a-4b6c-8d0e-1f2a3b4c5d6e",
  appDisplayName: "Northwind Sync",
  tenants: {
    northwind: "3f6a9d2e-7b41-4c85-9e12-5a8b0c4d7e61",
    contoso: "c0a3e5f1-2d4b-4a6c-8e9f-1b2c3d4e5f60",
    fabrikam: "fab1c2d3-4e5f-4a6b-9c7d-8e9f0a1b2c3d",
    adventureWorks: "ad7e0b2c-4d6e-4f80-a1b2-c3d4e5f6a7b8",
    tailspin: "7a11591e-0d3c-4b5a-8c6d-9e0f1a2b3c4d",
    consumers: CONSUMER_TENANT_ID,
  },
  appRoles: {
    supportOperator: "0b1c2d3e-4f50-4a61-8b72-9c83d4e5f601",
    supportAdmin: "1c2d3e4f-5061-4b72-8c83-9d94e5f60712",
    tenantConnect: "2d3e4f50-6172-4c83-9d94-aea5f6071823",
    connectionsRead: "3e4f5061-7283-4d94-aea5-b6c7d8e9f0a1",
  },
  /** Client apps calling the portal's API (/api/v1) with client credentials. */
  clientApps: {
    /** The ISV's back end in the home tenant, granted Connections.Read. */
    backEnd: "4f506172-8394-4ea5-b6c7-d8e9f0a1b2c3",
    /** Another home-tenant app, granted nothing. */
    noRole: "50617283-94a5-4fb6-c7d8-e9f0a1b2c3d4",
    /** An app registered in a customer tenant (Fabrikam), granted Connections.Read there. */
    foreign: "61728394-a5b6-4c7d-8e9f-0a1b2c3d4e5f",
  },
  /** Marketplace SaaS subscriptions of the demo (`npm run emulator` adds them; the portal's seed knows them). */
  subscriptions: {
    /** Fabrikam bought Northwind Sync, professional, 25 seats, and activated it. */
    fabrikam: "fab5c0de-2026-4c0d-9e25-000000000025",
  },
  /**
   * The portal's user-assigned managed identity (in the home tenant), trusted by the app registration through a
   * federated credential: the portal's credential without any secret (docs/protocol/identity.md).
   */
  managedIdentity: {
    clientId: "8a9b0c1d-2e3f-4a5b-8c6d-7e8f9a0b1c2d",
    principalId: "9b0c1d2e-3f4a-4b6c-9d7e-8f9a0b1c2d3e",
  },
  /** The portal's Key Vault (https://<name>.vault.localhost:PORT) and what it holds. */
  keyVault: {
    name: "northwind-portal",
    authSecret: "portal-auth-secret",
    certificate: "portal-entra-certificate",
  },
  /** The federated credential on the app registration that trusts the managed identity. */
  federatedCredentialName: "portal-managed-identity",
} as const;

export const SUPPORT_OPERATOR = "Support.Operator";
export const SUPPORT_ADMIN = "Support.Admin";
/** The application permission the app requires of itself: only admin consent grants it (proof of admin consent). */
export const TENANT_CONNECT = "Tenant.Connect";
/** The application permission of the portal's own API that the ISV's back end needs (docs/protocol/entra.md "The portal's own API"). */
export const CONNECTIONS_READ = "Connections.Read";
