/**
 * OData annotations the Dataverse Web API adds when `Prefer: odata.include-annotations` asks for them
 * (docs/protocol/dataverse.md "Annotations"):
 * - records: `<property>@OData.Community.Display.V1.FormattedValue` (choice labels, a lookup's primary name,
 *   dates), and for lookups `…@Microsoft.Dynamics.CRM.lookuplogicalname` / `…associatednavigationproperty`;
 * - errors: `@Microsoft.PowerApps.CDS.ErrorDetails.*`, `…HelpLink`, `…InnerError.Message`.
 * Each annotation comes just before the property it annotates, as Dataverse writes them.
 */
import { sameGuid } from "../guid";
import type { DataverseErrorInstance } from "../errors";
import type { Environment } from "../scenario";
import type { AnnotationFilter } from "./prefer";

export const FORMATTED_VALUE = "OData.Community.Display.V1.FormattedValue";
export const LOOKUP_LOGICAL_NAME = "Microsoft.Dynamics.CRM.lookuplogicalname";
export const ASSOCIATED_NAVIGATION_PROPERTY = "Microsoft.Dynamics.CRM.associatednavigationproperty";

type Labels = Record<string, string>;

/** Choice and yes/no labels, from Microsoft's table reference ([V] unless noted in the protocol notes). */
const CHOICES: Record<string, Record<string, Labels>> = {
  account: { statecode: { 0: "Active", 1: "Inactive" }, statuscode: { 1: "Active", 2: "Inactive" } },
  contact: { statecode: { 0: "Active", 1: "Inactive" } },
  systemuser: {
    isdisabled: { true: "Disabled", false: "Enabled" },
    accessmode: {
      0: "Read-Write",
      1: "Administrative",
      2: "Read",
      3: "Support User",
      4: "Non-interactive",
      5: "Delegated Admin",
    },
  },
  businessunit: { isdisabled: { true: "Yes", false: "No" } },
};

interface Lookup {
  target: "systemuser" | "businessunit" | "account" | "role";
  navigation: string;
}

const LOOKUPS: Record<string, Record<string, Lookup>> = {
  account: {
    _ownerid_value: { target: "systemuser", navigation: "ownerid" },
    _owningbusinessunit_value: { target: "businessunit", navigation: "owningbusinessunit" },
  },
  contact: {
    _parentcustomerid_value: { target: "account", navigation: "parentcustomerid_account" },
    _ownerid_value: { target: "systemuser", navigation: "ownerid" },
    _owningbusinessunit_value: { target: "businessunit", navigation: "owningbusinessunit" },
  },
  systemuser: { _businessunitid_value: { target: "businessunit", navigation: "businessunitid" } },
  role: {
    _businessunitid_value: { target: "businessunit", navigation: "businessunitid" },
    _parentrootroleid_value: { target: "role", navigation: "parentrootroleid" },
  },
  businessunit: { _parentbusinessunitid_value: { target: "businessunit", navigation: "parentbusinessunitid" } },
};

const DATE_COLUMNS = new Set(["createdon", "modifiedon"]);

function primaryName(env: Environment, target: Lookup["target"], id: string): string | undefined {
  switch (target) {
    case "systemuser":
      return env.systemUsers.find((u) => sameGuid(u.id, id))?.fullname;
    case "businessunit":
      return env.businessUnits.find((b) => sameGuid(b.id, id))?.name;
    case "account":
      return env.accounts.find((a) => sameGuid(a.id, id))?.name;
    case "role":
      return env.roles.find((r) => sameGuid(r.id, id))?.name;
  }
}

/** `4/7/2023 2:59 PM`: the user's time zone in Dataverse; the emulator's users are on UTC ([U]). */
function formatDate(value: string): string | undefined {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return undefined;
  const hours = date.getUTCHours();
  const minutes = String(date.getUTCMinutes()).padStart(2, "0");
  return `${date.getUTCMonth() + 1}/${date.getUTCDate()}/${date.getUTCFullYear()} ${hours % 12 === 0 ? 12 : hours % 12}:${minutes} ${hours < 12 ? "AM" : "PM"}`;
}

function formattedValue(env: Environment, entity: string, property: string, value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  const labels = CHOICES[entity]?.[property];
  if (labels) return labels[String(value)];
  const lookup = LOOKUPS[entity]?.[property];
  if (lookup && typeof value === "string") return primaryName(env, lookup.target, value);
  if (DATE_COLUMNS.has(property) && typeof value === "string") return formatDate(value);
  return undefined;
}

/** The record with the annotations the filter asks for, each before its property. */
export function annotateRecord(
  env: Environment,
  entity: string,
  record: Record<string, unknown>,
  filter: AnnotationFilter | undefined,
): Record<string, unknown> {
  if (!filter) return record;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    if (!key.startsWith("@") && !key.includes("@")) {
      const lookup = LOOKUPS[entity]?.[key];
      if (filter.includes(FORMATTED_VALUE)) {
        const formatted = formattedValue(env, entity, key, value);
        if (formatted !== undefined) out[`${key}@${FORMATTED_VALUE}`] = formatted;
      }
      if (lookup && value !== null && value !== undefined) {
        if (filter.includes(ASSOCIATED_NAVIGATION_PROPERTY))
          out[`${key}@${ASSOCIATED_NAVIGATION_PROPERTY}`] = lookup.navigation;
        if (filter.includes(LOOKUP_LOGICAL_NAME)) out[`${key}@${LOOKUP_LOGICAL_NAME}`] = lookup.target;
      }
    }
    out[key] = value;
  }
  return out;
}

const CDS = "Microsoft.PowerApps.CDS";

/**
 * The error body with the `Microsoft.PowerApps.CDS` annotations the filter asks for. Only errors with a platform
 * code carry them; the plug-in pipeline details (step, depth, solution) have no counterpart here ([U]).
 */
export function annotateError(
  instance: DataverseErrorInstance,
  filter: AnnotationFilter | undefined,
): DataverseErrorInstance["body"] {
  const { code, message } = instance.body.error;
  const hex = /^0x([0-9a-f]{8})$/i.exec(code)?.[1];
  if (!filter || !hex) return instance.body;
  const error: Record<string, unknown> = { code, message };
  const add = (name: string, value: string | undefined) => {
    if (value !== undefined && filter.includes(name)) error[`@${name}`] = value;
  };
  add(`${CDS}.ErrorDetails.ApiExceptionCategory`, instance.status >= 500 ? "SystemFailure" : "ClientError");
  add(`${CDS}.ErrorDetails.ApiExceptionMessageName`, instance.messageName);
  add(`${CDS}.ErrorDetails.ApiExceptionHttpStatusCode`, String(instance.status));
  add(
    `${CDS}.HelpLink`,
    `http://go.microsoft.com/fwlink/?LinkID=398563&error=Microsoft.Crm.CrmException%3a${hex.toLowerCase()}&client=platform`,
  );
  add(`${CDS}.InnerError.Message`, message);
  return { error } as DataverseErrorInstance["body"];
}
