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
  },
} as const;

export const SUPPORT_OPERATOR = "Support.Operator";
export const SUPPORT_ADMIN = "Support.Admin";
/** The application permission the app requires of itself: only admin consent grants it (proof of admin consent). */
export const TENANT_CONNECT = "Tenant.Connect";
