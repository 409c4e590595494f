/**
 * The entity sets the emulator serves (accounts, contacts, systemusers, roles, businessunits): how
 * scenario objects look as OData records, their navigation properties, and how writes map back.
 * Column names follow the Dataverse Web API (docs/protocol/dataverse.md B4); lookups appear as `_x_value`.
 */
import { failDataverse } from "../errors";
import { randomGuid, sameGuid } from "../guid";
import type { Account, Contact, Environment, SystemUser } from "../scenario";
import type { EmulatorState } from "../state";
import type { AttributeType, QueryableShape } from "./odata-query";
import { ALL_PRIVILEGE_NAMES, privilegeId } from "./privileges";

export interface Row {
  id: string;
  record: Record<string, unknown>;
  ownerId: string | null;
  owningBusinessUnitId: string | null;
}

export interface WriteContext {
  state: EmulatorState;
  env: Environment;
  caller: SystemUser;
}

export interface NavigationDefinition {
  target: string;
  single: boolean;
  related(env: Environment, row: Row): Row[];
}

export interface EntityDefinition {
  logicalName: string;
  entitySet: string;
  primaryKey: string;
  /** Privilege name part (systemuser → User). */
  privilegeEntity: string;
  shape: QueryableShape;
  /**
   * Whether reading needs prvRead<Entity>: accounts and contacts always. Systemusers, roles and business
   * units are `securityTable`s: they need prvReadUser / prvReadRole / prvReadBusinessUnit too (the caller's
   * own row included) unless the scenario turns `enforceSecurityTableReadPrivileges` off
   * (docs/protocol/dataverse.md "Read privileges").
   */
  readPrivileged: boolean;
  securityTable?: boolean;
  rows(env: Environment): Row[];
  navigations: Record<string, NavigationDefinition>;
  create?(ctx: WriteContext, body: Record<string, unknown>, id?: string): string;
  update?(ctx: WriteContext, id: string, body: Record<string, unknown>): void;
  remove?(ctx: WriteContext, id: string): void;
}

// ------------------------------------------------------------------ record versions (etags)

const versions = new Map<string, number>();
let versionCounter = 1_000_000;

function versionOf(id: string): number {
  let v = versions.get(id);
  if (v === undefined) {
    v = ++versionCounter;
    versions.set(id, v);
  }
  return v;
}

function bumpVersion(id: string): void {
  versions.set(id, ++versionCounter);
}

function etag(id: string): string {
  return `W/"${versionOf(id)}"`;
}

// ------------------------------------------------------------------ body helpers

function rejectUnknownProperties(entity: string, body: Record<string, unknown>, allowed: string[]): void {
  for (const key of Object.keys(body)) {
    if (key.startsWith("@")) continue;
    if (!allowed.includes(key)) {
      failDataverse("badRequest", {
        detail: `The property '${key}' does not exist on type 'Microsoft.Dynamics.CRM.${entity}'. Make sure to only use property names that are defined by the type.`,
      });
    }
  }
}

/** `/businessunits(<id>)`, `businessunits(<id>)` or an absolute URL → the id, checked against the set. */
export function parseBind(value: unknown, expectedSet: string, property: string): string {
  if (typeof value !== "string")
    failDataverse("badRequest", { detail: `The value of '${property}' must be an entity reference URL.` });
  const match = /(?:^|\/)([A-Za-z_]+)\(([0-9a-fA-F-]{36})\)$/.exec(value.trim());
  if (!match || match[1]?.toLowerCase() !== expectedSet) {
    failDataverse("badRequest", {
      detail: `An undeclared property '${property}' which only has property annotations in the payload but no property value was found in the payload, or the reference '${value}' is not valid.`,
    });
  }
  return (match[2] ?? "").toLowerCase();
}

function stringOrNull(value: unknown, property: string): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== "string")
    failDataverse("badRequest", {
      detail: `Cannot convert the literal '${String(value)}' to the expected type 'Edm.String' for '${property}'.`,
    });
  return value;
}

function optionalBoolean(value: unknown, property: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== "boolean")
    failDataverse("badRequest", {
      detail: `Cannot convert the literal '${String(value)}' to the expected type 'Edm.Boolean' for '${property}'.`,
    });
  return value;
}

function userBusinessUnit(env: Environment, userId: string | null): string | null {
  if (!userId) return null;
  return env.systemUsers.find((u) => sameGuid(u.id, userId))?.businessUnitId ?? null;
}

function findIndex<T extends { id: string }>(items: T[], id: string, entity: string): number {
  const index = items.findIndex((i) => sameGuid(i.id, id));
  if (index < 0) failDataverse("recordNotFound", { entity, id });
  return index;
}

// ------------------------------------------------------------------ account

const ACCOUNT_ATTRIBUTES: Record<string, AttributeType> = {
  accountid: "guid",
  name: "string",
  accountnumber: "string",
  telephone1: "string",
  address1_city: "string",
  revenue: "number",
  _ownerid_value: "guid",
  _owningbusinessunit_value: "guid",
  statecode: "number",
  statuscode: "number",
  createdon: "datetime",
  modifiedon: "datetime",
  versionnumber: "number",
};

function accountRow(env: Environment, a: Account): Row {
  const owningBu = userBusinessUnit(env, a.ownerId);
  return {
    id: a.id,
    ownerId: a.ownerId,
    owningBusinessUnitId: owningBu,
    record: {
      "@odata.etag": etag(a.id),
      accountid: a.id,
      name: a.name,
      accountnumber: a.accountnumber,
      telephone1: a.telephone1,
      address1_city: a.address1_city,
      revenue: a.revenue,
      _ownerid_value: a.ownerId,
      _owningbusinessunit_value: owningBu,
      statecode: 0,
      statuscode: 1,
      createdon: a.createdon ?? null,
      modifiedon: a.createdon ?? null,
      versionnumber: versionOf(a.id),
    },
  };
}

const ACCOUNT_WRITABLE = ["name", "accountnumber", "telephone1", "address1_city", "revenue", "ownerid@odata.bind"];

function applyAccountFields(target: Account, body: Record<string, unknown>): void {
  if ("name" in body) target.name = stringOrNull(body.name, "name") ?? "";
  if ("accountnumber" in body) target.accountnumber = stringOrNull(body.accountnumber, "accountnumber");
  if ("telephone1" in body) target.telephone1 = stringOrNull(body.telephone1, "telephone1");
  if ("address1_city" in body) target.address1_city = stringOrNull(body.address1_city, "address1_city");
  if ("revenue" in body) {
    if (body.revenue !== null && typeof body.revenue !== "number")
      failDataverse("badRequest", {
        detail: "Cannot convert the literal to the expected type 'Edm.Decimal' for 'revenue'.",
      });
    target.revenue = body.revenue as number | null;
  }
  if ("ownerid@odata.bind" in body) target.ownerId = parseBind(body["ownerid@odata.bind"], "systemusers", "ownerid");
}

const accountDefinition: EntityDefinition = {
  logicalName: "account",
  entitySet: "accounts",
  primaryKey: "accountid",
  privilegeEntity: "Account",
  readPrivileged: true,
  shape: { entity: "account", attributes: ACCOUNT_ATTRIBUTES, navigations: ["contact_customer_accounts"] },
  rows: (env) => env.accounts.map((a) => accountRow(env, a)),
  navigations: {
    contact_customer_accounts: {
      target: "contacts",
      single: false,
      related: (env, row) =>
        env.contacts.filter((c) => sameGuid(c.parentAccountId, row.id)).map((c) => contactRow(env, c)),
    },
  },
  create(ctx, body, id) {
    rejectUnknownProperties("account", body, ACCOUNT_WRITABLE);
    const account: Account = {
      id: id ?? randomGuid(),
      name: "",
      accountnumber: null,
      telephone1: null,
      address1_city: null,
      revenue: null,
      ownerId: ctx.caller.id,
      createdon: new Date().toISOString(),
    };
    applyAccountFields(account, body);
    ctx.env.accounts.push(account);
    return account.id;
  },
  update(ctx, id, body) {
    rejectUnknownProperties("account", body, ACCOUNT_WRITABLE);
    const account = ctx.env.accounts[findIndex(ctx.env.accounts, id, "account")];
    if (account) applyAccountFields(account, body);
    bumpVersion(id);
  },
  remove(ctx, id) {
    ctx.env.accounts.splice(findIndex(ctx.env.accounts, id, "account"), 1);
    for (const c of ctx.env.contacts) if (sameGuid(c.parentAccountId, id)) c.parentAccountId = null;
  },
};

// ------------------------------------------------------------------ contact

const CONTACT_ATTRIBUTES: Record<string, AttributeType> = {
  contactid: "guid",
  firstname: "string",
  lastname: "string",
  fullname: "string",
  emailaddress1: "string",
  _parentcustomerid_value: "guid",
  _ownerid_value: "guid",
  _owningbusinessunit_value: "guid",
  statecode: "number",
  versionnumber: "number",
};

function contactRow(env: Environment, c: Contact): Row {
  const owningBu = userBusinessUnit(env, c.ownerId);
  return {
    id: c.id,
    ownerId: c.ownerId,
    owningBusinessUnitId: owningBu,
    record: {
      "@odata.etag": etag(c.id),
      contactid: c.id,
      firstname: c.firstname,
      lastname: c.lastname,
      fullname: [c.firstname, c.lastname].filter(Boolean).join(" "),
      emailaddress1: c.emailaddress1,
      _parentcustomerid_value: c.parentAccountId,
      _ownerid_value: c.ownerId,
      _owningbusinessunit_value: owningBu,
      statecode: 0,
      versionnumber: versionOf(c.id),
    },
  };
}

const CONTACT_WRITABLE = [
  "firstname",
  "lastname",
  "emailaddress1",
  "parentcustomerid_account@odata.bind",
  "ownerid@odata.bind",
];

function applyContactFields(target: Contact, body: Record<string, unknown>): void {
  if ("firstname" in body) target.firstname = stringOrNull(body.firstname, "firstname");
  if ("lastname" in body) target.lastname = stringOrNull(body.lastname, "lastname") ?? "";
  if ("emailaddress1" in body) target.emailaddress1 = stringOrNull(body.emailaddress1, "emailaddress1");
  if ("parentcustomerid_account@odata.bind" in body)
    target.parentAccountId = parseBind(
      body["parentcustomerid_account@odata.bind"],
      "accounts",
      "parentcustomerid_account",
    );
  if ("ownerid@odata.bind" in body) target.ownerId = parseBind(body["ownerid@odata.bind"], "systemusers", "ownerid");
}

const contactDefinition: EntityDefinition = {
  logicalName: "contact",
  entitySet: "contacts",
  primaryKey: "contactid",
  privilegeEntity: "Contact",
  readPrivileged: true,
  shape: { entity: "contact", attributes: CONTACT_ATTRIBUTES, navigations: ["parentcustomerid_account"] },
  rows: (env) => env.contacts.map((c) => contactRow(env, c)),
  navigations: {
    parentcustomerid_account: {
      target: "accounts",
      single: true,
      related: (env, row) =>
        env.accounts
          .filter((a) => sameGuid(a.id, row.record._parentcustomerid_value as string | null))
          .map((a) => accountRow(env, a)),
    },
  },
  create(ctx, body, id) {
    rejectUnknownProperties("contact", body, CONTACT_WRITABLE);
    const contact: Contact = {
      id: id ?? randomGuid(),
      firstname: null,
      lastname: "",
      emailaddress1: null,
      parentAccountId: null,
      ownerId: ctx.caller.id,
    };
    applyContactFields(contact, body);
    if (contact.parentAccountId && !ctx.env.accounts.some((a) => sameGuid(a.id, contact.parentAccountId))) {
      failDataverse("recordNotFound", { entity: "account", id: contact.parentAccountId });
    }
    ctx.env.contacts.push(contact);
    return contact.id;
  },
  update(ctx, id, body) {
    rejectUnknownProperties("contact", body, CONTACT_WRITABLE);
    const contact = ctx.env.contacts[findIndex(ctx.env.contacts, id, "contact")];
    if (contact) applyContactFields(contact, body);
    bumpVersion(id);
  },
  remove(ctx, id) {
    ctx.env.contacts.splice(findIndex(ctx.env.contacts, id, "contact"), 1);
  },
};

// ------------------------------------------------------------------ systemuser

const SYSTEMUSER_ATTRIBUTES: Record<string, AttributeType> = {
  systemuserid: "guid",
  fullname: "string",
  applicationid: "guid",
  applicationiduri: "string",
  azureactivedirectoryobjectid: "guid",
  isdisabled: "boolean",
  accessmode: "number",
  _businessunitid_value: "guid",
  domainname: "string",
  internalemailaddress: "string",
  systemmanagedusertype: "number",
  islicensed: "boolean",
  versionnumber: "number",
};

export function systemUserRow(u: SystemUser): Row {
  return {
    id: u.id,
    // Business-owned: no owning user, so a Basic (User-level) read privilege reaches no systemuser row,
    // one's own included (strict; docs/protocol/dataverse.md "Read privileges").
    ownerId: null,
    owningBusinessUnitId: u.businessUnitId,
    record: {
      "@odata.etag": etag(u.id),
      systemuserid: u.id,
      fullname: u.fullname,
      applicationid: u.applicationId,
      applicationiduri: null,
      azureactivedirectoryobjectid: u.azureAdObjectId,
      isdisabled: u.isDisabled,
      accessmode: u.accessMode,
      _businessunitid_value: u.businessUnitId,
      domainname: u.domainname,
      internalemailaddress: u.internalemailaddress,
      systemmanagedusertype: 0,
      islicensed: !u.applicationId,
      versionnumber: versionOf(u.id),
    },
  };
}

const SYSTEMUSER_CREATE = [
  "applicationid",
  "businessunitid@odata.bind",
  "accessmode",
  "isdisabled",
  "internalemailaddress",
  "firstname",
  "lastname",
];
const SYSTEMUSER_UPDATE = ["isdisabled", "accessmode", "internalemailaddress", "businessunitid@odata.bind"];

/**
 * Creating an application user (docs/protocol/dataverse.md B4): needs `applicationid` and the business unit bind;
 * Dataverse resolves the application in the environment's tenant, so the app's service principal
 * must exist there (admin consent first), else the [U] 0x80072566 error.
 */
function createApplicationUser(ctx: WriteContext, body: Record<string, unknown>, id?: string): string {
  rejectUnknownProperties("systemuser", body, SYSTEMUSER_CREATE);
  const applicationId = body.applicationid;
  if (typeof applicationId !== "string" || !/^[0-9a-fA-F-]{36}$/.test(applicationId)) {
    failDataverse("badRequest", {
      detail: "The emulator only creates application users: 'applicationid' (the Entra client id) is required.",
    });
  }
  if (!("businessunitid@odata.bind" in body)) {
    failDataverse("badRequest", {
      detail:
        "Attribute 'businessunitid' cannot be NULL. A business unit must be specified (businessunitid@odata.bind).",
    });
  }
  const businessUnitId = parseBind(body["businessunitid@odata.bind"], "businessunits", "businessunitid");
  if (!ctx.env.businessUnits.some((b) => sameGuid(b.id, businessUnitId)))
    failDataverse("recordNotFound", { entity: "businessunit", id: businessUnitId });
  if (ctx.env.systemUsers.some((u) => sameGuid(u.applicationId, applicationId))) {
    failDataverse("duplicateRecord", { attribute: `applicationid = ${applicationId}` });
  }
  const app = ctx.state.scenario.app;
  const tenant = ctx.state.tenantById(ctx.env.tenantId);
  const isHome = sameGuid(app.homeTenantId, ctx.env.tenantId);
  const resolvable =
    tenant !== undefined &&
    sameGuid(app.clientId, applicationId) &&
    (isHome || ctx.state.servicePrincipalVisible(tenant));
  if (!resolvable || !tenant) failDataverse("applicationNotInTenant", { applicationId, tenantId: ctx.env.tenantId });
  const user: SystemUser = {
    id: id ?? randomGuid(),
    fullname: app.displayName,
    businessUnitId,
    applicationId: applicationId.toLowerCase(),
    azureAdObjectId: tenant.servicePrincipalObjectId,
    domainname: `${app.displayName.replace(/\s+/g, "")}${applicationId}@${ctx.env.tenantId}.com`,
    internalemailaddress: stringOrNull(body.internalemailaddress, "internalemailaddress") ?? "",
    isDisabled: optionalBoolean(body.isdisabled, "isdisabled", false),
    accessMode: typeof body.accessmode === "number" ? body.accessmode : 4,
    roleIds: [],
  };
  ctx.env.systemUsers.push(user);
  return user.id;
}

const systemUserDefinition: EntityDefinition = {
  logicalName: "systemuser",
  entitySet: "systemusers",
  primaryKey: "systemuserid",
  privilegeEntity: "User",
  readPrivileged: false,
  securityTable: true,
  shape: {
    entity: "systemuser",
    attributes: SYSTEMUSER_ATTRIBUTES,
    navigations: ["systemuserroles_association", "businessunitid"],
  },
  rows: (env) => env.systemUsers.map(systemUserRow),
  navigations: {
    systemuserroles_association: {
      target: "roles",
      single: false,
      related: (env, row) => {
        const user = env.systemUsers.find((u) => sameGuid(u.id, row.id));
        return env.roles.filter((r) => user?.roleIds.some((id) => sameGuid(id, r.id))).map(roleRow);
      },
    },
    businessunitid: {
      target: "businessunits",
      single: true,
      related: (env, row) =>
        env.businessUnits
          .filter((b) => sameGuid(b.id, row.record._businessunitid_value as string))
          .map(businessUnitRow),
    },
  },
  create: createApplicationUser,
  update(ctx, id, body) {
    rejectUnknownProperties("systemuser", body, SYSTEMUSER_UPDATE);
    const user = ctx.env.systemUsers[findIndex(ctx.env.systemUsers, id, "systemuser")];
    if (!user) return;
    if ("isdisabled" in body) user.isDisabled = optionalBoolean(body.isdisabled, "isdisabled", user.isDisabled);
    if ("accessmode" in body && typeof body.accessmode === "number") user.accessMode = body.accessmode;
    if ("internalemailaddress" in body)
      user.internalemailaddress = stringOrNull(body.internalemailaddress, "internalemailaddress") ?? "";
    if ("businessunitid@odata.bind" in body)
      user.businessUnitId = parseBind(body["businessunitid@odata.bind"], "businessunits", "businessunitid");
    bumpVersion(id);
  },
};

// ------------------------------------------------------------------ role and business unit

const ROLE_ATTRIBUTES: Record<string, AttributeType> = {
  roleid: "guid",
  name: "string",
  _businessunitid_value: "guid",
  _parentrootroleid_value: "guid",
  ismanaged: "boolean",
  versionnumber: "number",
};

function roleRow(r: Environment["roles"][number]): Row {
  return {
    id: r.id,
    ownerId: null,
    owningBusinessUnitId: r.businessUnitId,
    record: {
      "@odata.etag": etag(r.id),
      roleid: r.id,
      name: r.name,
      _businessunitid_value: r.businessUnitId,
      _parentrootroleid_value: r.id,
      ismanaged: false,
      versionnumber: versionOf(r.id),
    },
  };
}

const ROLE_CREATE = ["name", "businessunitid@odata.bind", "description"];

/**
 * Creating a security role (docs/protocol/dataverse.md "Creating the role"): a name and the business unit bind;
 * the role starts with no privileges (AddPrivilegesRole adds them). Needs prvCreateRole (checked by the caller).
 */
function createRole(ctx: WriteContext, body: Record<string, unknown>, id?: string): string {
  rejectUnknownProperties("role", body, ROLE_CREATE);
  const name = body.name;
  if (typeof name !== "string" || name.trim() === "")
    failDataverse("badRequest", { detail: "Attribute 'name' cannot be NULL." });
  if (!("businessunitid@odata.bind" in body)) {
    failDataverse("badRequest", {
      detail:
        "Attribute 'businessunitid' cannot be NULL. A business unit must be specified (businessunitid@odata.bind).",
    });
  }
  const businessUnitId = parseBind(body["businessunitid@odata.bind"], "businessunits", "businessunitid");
  if (!ctx.env.businessUnits.some((b) => sameGuid(b.id, businessUnitId)))
    failDataverse("recordNotFound", { entity: "businessunit", id: businessUnitId });
  const role = { id: id ?? randomGuid(), name: name.trim(), businessUnitId, allPrivileges: false, privileges: [] };
  ctx.env.roles.push(role);
  return role.id;
}

const roleDefinition: EntityDefinition = {
  create: createRole,
  logicalName: "role",
  entitySet: "roles",
  primaryKey: "roleid",
  privilegeEntity: "Role",
  readPrivileged: false,
  securityTable: true,
  shape: {
    entity: "role",
    attributes: ROLE_ATTRIBUTES,
    navigations: ["systemuserroles_association", "businessunitid"],
  },
  rows: (env) => env.roles.map(roleRow),
  navigations: {
    systemuserroles_association: {
      target: "systemusers",
      single: false,
      related: (env, row) =>
        env.systemUsers.filter((u) => u.roleIds.some((id) => sameGuid(id, row.id))).map(systemUserRow),
    },
    businessunitid: {
      target: "businessunits",
      single: true,
      related: (env, row) =>
        env.businessUnits
          .filter((b) => sameGuid(b.id, row.record._businessunitid_value as string))
          .map(businessUnitRow),
    },
  },
};

const BUSINESSUNIT_ATTRIBUTES: Record<string, AttributeType> = {
  businessunitid: "guid",
  name: "string",
  _parentbusinessunitid_value: "guid",
  isdisabled: "boolean",
  versionnumber: "number",
};

function businessUnitRow(b: Environment["businessUnits"][number]): Row {
  return {
    id: b.id,
    ownerId: null,
    owningBusinessUnitId: b.id,
    record: {
      "@odata.etag": etag(b.id),
      businessunitid: b.id,
      name: b.name,
      _parentbusinessunitid_value: b.parentId,
      isdisabled: false,
      versionnumber: versionOf(b.id),
    },
  };
}

const businessUnitDefinition: EntityDefinition = {
  logicalName: "businessunit",
  entitySet: "businessunits",
  primaryKey: "businessunitid",
  privilegeEntity: "BusinessUnit",
  readPrivileged: false,
  securityTable: true,
  shape: { entity: "businessunit", attributes: BUSINESSUNIT_ATTRIBUTES, navigations: [] },
  rows: (env) => env.businessUnits.map(businessUnitRow),
  navigations: {},
};

// ------------------------------------------------------------------ privilege (read-only catalogue)

const PRIVILEGE_ATTRIBUTES: Record<string, AttributeType> = {
  privilegeid: "guid",
  name: "string",
  versionnumber: "number",
};

const privilegeDefinition: EntityDefinition = {
  logicalName: "privilege",
  entitySet: "privileges",
  primaryKey: "privilegeid",
  privilegeEntity: "Privilege",
  readPrivileged: false,
  shape: { entity: "privilege", attributes: PRIVILEGE_ATTRIBUTES, navigations: [] },
  rows: () =>
    ALL_PRIVILEGE_NAMES.map((name) => {
      const id = privilegeId(name);
      return {
        id,
        ownerId: null,
        owningBusinessUnitId: null,
        record: { "@odata.etag": etag(id), privilegeid: id, name, versionnumber: versionOf(id) },
      };
    }),
  navigations: {},
};

export const ENTITY_SETS: Record<string, EntityDefinition> = {
  privileges: privilegeDefinition,
  accounts: accountDefinition,
  contacts: contactDefinition,
  systemusers: systemUserDefinition,
  roles: roleDefinition,
  businessunits: businessUnitDefinition,
};

export function entityBySet(name: string): EntityDefinition | undefined {
  return ENTITY_SETS[name.toLowerCase()];
}
