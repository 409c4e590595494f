/**
 * The `{tenant}` path segment (docs/protocol/entra.md A1): a tenant GUID, a verified domain, or one of the
 * multi-tenant aliases `common`, `organizations`, `consumers`.
 */
import { CONSUMER_TENANT_ID } from "../directory-roles";
import { isGuid } from "../guid";
import type { Tenant } from "../scenario";
import type { EmulatorState } from "../state";

export type TenantAlias = "common" | "organizations" | "consumers";

export type TenantTarget =
  | { kind: "tenant"; segment: string; tenant: Tenant }
  | { kind: "common"; segment: string }
  | { kind: "organizations"; segment: string }
  | { kind: "consumers"; segment: string };

export type TenantResolution =
  { ok: true; target: TenantTarget } | { ok: false; error: "tenantNotFound" | "tenantMalformed" };

const DNS_NAME = /^(?=.{3,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/i;

function aliasTarget(alias: TenantAlias): TenantTarget {
  switch (alias) {
    case "common":
      return { kind: "common", segment: alias };
    case "organizations":
      return { kind: "organizations", segment: alias };
    case "consumers":
      return { kind: "consumers", segment: alias };
  }
}

export function resolveTenant(state: EmulatorState, segment: string): TenantResolution {
  const lower = segment.toLowerCase();
  if (lower === "common" || lower === "organizations" || lower === "consumers")
    return { ok: true, target: aliasTarget(lower) };
  if (!isGuid(segment) && !DNS_NAME.test(segment)) return { ok: false, error: "tenantMalformed" };
  const tenant = state.tenantBySegment(segment);
  if (!tenant) return { ok: false, error: "tenantNotFound" };
  return { ok: true, target: { kind: "tenant", segment, tenant } };
}

/** The tenant id in endpoint URLs: the resolved GUID for tenants, the literal alias otherwise. */
export function endpointSegment(target: TenantTarget): string {
  return target.kind === "tenant" ? target.tenant.id : target.kind;
}

export function isConsumerTenant(tenant: Tenant): boolean {
  return tenant.kind === "consumers" || tenant.id.toLowerCase() === CONSUMER_TENANT_ID;
}

/** Which tenants' users may sign in through this target (docs/protocol/entra.md A1 table). */
export function tenantsOfferedBy(state: EmulatorState, target: TenantTarget): Tenant[] {
  const all = state.scenario.tenants;
  switch (target.kind) {
    case "tenant":
      return [target.tenant];
    case "consumers":
      return all.filter(isConsumerTenant);
    case "organizations":
      return state.scenario.settings.msaUsersMayUseOrganizations ? all : all.filter((t) => !isConsumerTenant(t));
    case "common":
      return all;
  }
}
