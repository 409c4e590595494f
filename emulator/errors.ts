/**
 * Every error text the emulator sends, in two editable tables (docs/protocol/entra.md A4/A5 for Entra, B6 for
 * Dataverse). Microsoft says clients must not parse messages; codes and HTTP statuses are what
 * matter, and those are reproduced exactly where the reference marks them [V]/[V-3p].
 *
 * Templates use `{name}` placeholders filled from the params object.
 */
import { randomGuid } from "./guid";

export interface EntraErrorDefinition {
  /** AADSTS number. */
  code: number;
  /** OAuth `error` value. */
  error: string;
  /** HTTP status at the token endpoint: 401 for invalid_client, 400 otherwise (docs/protocol/entra.md A4). */
  status: number;
  template: string;
}

const entra = (code: number, error: string, template: string): EntraErrorDefinition => ({
  code,
  error,
  status: error === "invalid_client" ? 401 : 400,
  template,
});

export const ENTRA_ERRORS = {
  // Tenants and endpoints
  tenantNotFound: entra(
    90002,
    "invalid_request",
    "Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.",
  ),
  tenantMalformed: entra(
    900023,
    "invalid_request",
    "Specified tenant identifier '{tenant}' is neither a valid DNS name, nor a valid external domain.",
  ),
  grantNotSupportedOnCommon: entra(
    9001023,
    "invalid_request",
    "The grant type isn't supported over the /common or /consumers endpoints. Please use the /organizations or tenant-specific endpoint.",
  ),
  /** [U] client_credentials on /organizations: no tenant can be determined. */
  tenantRealmMissing: entra(
    90019,
    "invalid_request",
    "Microsoft Entra ID was unable to determine the tenant identifier from the request.",
  ),
  methodNotAllowed: entra(
    900561,
    "invalid_request",
    "The endpoint only accepts {verbs} requests. Received a {verb} request.",
  ),
  missingParameter: entra(
    900144,
    "invalid_request",
    "The request body must contain the following parameter: '{name}'.",
  ),
  invalidParameter: entra(90100, "invalid_request", "The parameter '{name}' is empty or not valid."),
  malformedRequest: entra(9002313, "invalid_request", "Invalid request. Request is malformed or invalid."),
  conflictingClientAuth: entra(
    90023,
    "invalid_request",
    "The authentication service request isn't valid. More than one client authentication method was used ({methods}).",
  ),
  unsupportedGrantType: entra(
    70003,
    "unsupported_grant_type",
    "The app requested an unsupported grant type '{grantType}'.",
  ),
  resourceParameterNotSupported: entra(901002, "invalid_request", "The 'resource' request parameter is not supported."),

  // The application
  appNotFoundInDirectory: entra(
    700016,
    "unauthorized_client",
    "Application with identifier '{clientId}' was not found in the directory '{tenantName}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.",
  ),
  servicePrincipalMissing: entra(
    7000229,
    "invalid_client",
    "The client application {clientId} is missing service principal in the tenant {tenantId}. See instructions here: https://go.microsoft.com/fwlink/?linkid=2225119",
  ),
  requiredResourceMissing: entra(
    650052,
    "invalid_client",
    "The app is trying to access a service '{resource}' that your organization '{tenantId}' lacks a service principal for. Contact your IT Admin to review the configuration of your service subscriptions or consent to the application in order to create the required service principal.",
  ),
  appDisabled: entra(7000112, "unauthorized_client", "Application '{clientId}'({appName}) is disabled."),
  notMultiTenant: entra(
    50194,
    "invalid_request",
    "Application '{clientId}'({appName}) is not configured as a multi-tenant application. Usage of the /common endpoint is not supported for such applications created after '10/15/2018'. Use a tenant-specific endpoint or configure the application to be multi-tenant.",
  ),

  // Client authentication
  missingClientCredential: entra(
    7000218,
    "invalid_client",
    "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
  ),
  invalidClientSecret: entra(
    7000215,
    "invalid_client",
    "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{clientId}'.",
  ),
  expiredClientSecret: entra(
    7000222,
    "invalid_client",
    "The provided client secret keys for app '{clientId}' are expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate credentials for added security: https://aka.ms/certCreds.",
  ),
  invalidClientAssertion: entra(700027, "invalid_client", "{detail}"),
  clientAssertionTimeRange: entra(
    700024,
    "invalid_client",
    "Client assertion is not within its valid time range. Current time: {now}, assertion valid from {nbf}, expiry time of assertion {exp}. Review the documentation at https://docs.microsoft.com/azure/active-directory/develop/active-directory-certificate-credentials .",
  ),
  assertionSubjectMismatch: entra(
    50048,
    "invalid_client",
    "Subject mismatches Issuer claim in the client assertion for application '{clientId}'.",
  ),
  // Federated identity credentials (docs/protocol/identity.md F3, F4)
  federatedNoMatch: entra(
    70021,
    "invalid_request",
    "No matching federated identity record found for presented assertion. Assertion Issuer: '{issuer}'. Assertion Subject: '{subject}'. Assertion Audience: '{audience}'. https://docs.microsoft.com/en-us/azure/active-directory/develop/workload-identity-federation",
  ),
  federatedIssuerNoMatch: entra(
    700211,
    "invalid_client",
    "No matching federated identity record found for presented assertion issuer '{issuer}'. Check your federated identity credential Subject, Audience and Issuer against the presented assertion. https://learn.microsoft.com/entra/workload-id/workload-identity-federation",
  ),
  federatedAudienceNoMatch: entra(
    700212,
    "invalid_client",
    "No matching federated identity record found for presented assertion audience '{audience}'. Check your federated identity credential Subject, Audience and Issuer against the presented assertion. https://learn.microsoft.com/entra/workload-id/workload-identity-federation",
  ),
  federatedSubjectNoMatch: entra(
    700213,
    "invalid_client",
    "No matching federated identity record found for presented assertion subject '{subject}'. Check your federated identity credential Subject, Audience and Issuer against the presented assertion. https://learn.microsoft.com/entra/workload-id/workload-identity-federation",
  ),
  federatedSubjectCaseMismatch: entra(
    7002138,
    "invalid_client",
    "No matching federated identity record found for presented assertion subject '{subject}'. The subject matches with case-insensitive comparison, but not with case-sensitive comparison. Check your federated identity credential Subject, Audience and Issuer against the presented assertion. See documentation at: https://learn.microsoft.com/entra/workload-id/workload-identity-federation. See breaking change notification and remediation at: https://learn.microsoft.com/en-us/entra/identity-platform/reference-breaking-changes#august-2024.",
  ),
  federatedNotManagedIdentity: entra(
    700226,
    "invalid_client",
    "Only MSI tokens may be used as Federated Identity Credentials for AAD issuer.",
  ),
  redirectUriMismatchAtToken: entra(
    500112,
    "invalid_client",
    "The reply address '{actual}' does not match the reply address '{expected}' provided when requesting Authorization code.",
  ),

  // Scopes and resources
  invalidScope: entra(
    70011,
    "invalid_scope",
    "The provided value for the input parameter 'scope' is not valid. The scope {scope} is not valid.",
  ),
  /** What Entra answers today for a client-credentials scope that is not `<resource>/.default` (docs/protocol/entra.md A5). */
  clientCredentialsScope: entra(
    1002012,
    "invalid_scope",
    "The provided value for scope {scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).",
  ),
  multipleResources: entra(
    700022,
    "invalid_scope",
    "The provided value for the input parameter scope is not valid because it contains more than one resource. Scope {scope} is not valid.",
  ),
  resourceNotFound: entra(
    500011,
    "invalid_resource",
    "The resource principal named {resource} was not found in the tenant named {tenantName}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.",
  ),

  // Grants
  codeAlreadyRedeemed: entra(
    54005,
    "invalid_grant",
    "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.",
  ),
  codeExpired: entra(
    70008,
    "invalid_grant",
    "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.",
  ),
  codeMalformed: entra(9002313, "invalid_grant", "Invalid request. Request is malformed or invalid."),
  codeOtherTenant: entra(
    700005,
    "invalid_grant",
    "Provided Authorization Code is intended to use against other tenant, thus rejected.",
  ),
  codeOtherClient: entra(
    70000,
    "invalid_grant",
    "Provided grant is invalid or malformed. The code was issued to a different client.",
  ),
  pkceMismatch: entra(
    501481,
    "invalid_grant",
    "The Code_Verifier does not match the code_challenge supplied in the authorization request.",
  ),
  pkceMissingVerifier: entra(
    50148,
    "invalid_grant",
    "The code_verifier does not match the code_challenge supplied in the authorization request for PKCE.",
  ),
  refreshTokenInvalid: entra(9002313, "invalid_grant", "Invalid request. Request is malformed or invalid."),
  refreshTokenRevoked: entra(
    50173,
    "invalid_grant",
    "The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password.",
  ),
  consentRequiredForResource: entra(
    65001,
    "invalid_grant",
    "The user or administrator has not consented to use the application with ID '{clientId}' named '{appName}'. Send an interactive authorization request for this user and resource.",
  ),

  // Authorize / consent (sent to the redirect URI or shown on an error page)
  redirectUriMismatch: entra(
    50011,
    "invalid_request",
    "The redirect URI '{redirectUri}' specified in the request does not match the redirect URIs configured for the application '{clientId}'. Make sure the redirect URI sent in the request matches one added to your application in the Azure portal. Navigate to https://aka.ms/redirectUriMismatchError to learn more about how to fix this.",
  ),
  noReplyAddress: entra(900971, "invalid_request", "No reply address provided."),
  unsupportedResponseType: entra(
    70005,
    "unsupported_response_type",
    "The application returned an unsupported response type '{responseType}'.",
  ),
  idTokenNotEnabled: entra(700054, "invalid_request", "response_type 'id_token' is not enabled for the application."),
  unsupportedResponseMode: entra(
    70007,
    "invalid_request",
    "The application returned an unsupported value of 'response_mode': '{responseMode}'.",
  ),
  invalidCodeChallengeMethod: entra(
    501491,
    "invalid_request",
    "Invalid size of Code_Challenge parameter or unsupported code_challenge_method '{method}'.",
  ),
  loginRequired: entra(50058, "login_required", "A silent sign-in request was sent but no user is signed in."),
  interactionRequired: entra(
    16000,
    "interaction_required",
    "Either multiple user identities are available for the current request or selected account is not supported for the scenario.",
  ),
  consentRequired: entra(
    65001,
    "consent_required",
    "The user or administrator has not consented to use the application with ID '{clientId}' named '{appName}'. Send an interactive authorization request for this user and resource.",
  ),
  userDeclinedConsent: entra(
    65004,
    "consent_required",
    "The resource owner or authorization server denied the request.",
  ),
  adminConsentRequired: entra(90094, "access_denied", "The grant requires admin permission."),
  userNotInTenant: entra(
    50020,
    "access_denied",
    "User account '{upn}' from identity provider '{idp}' does not exist in tenant '{tenantName}' and cannot access the application '{clientId}'({appName}) in that tenant.",
  ),
  personalAccountNotAllowed: entra(
    500200,
    "access_denied",
    "User account '{upn}' is a personal Microsoft account. Personal Microsoft accounts are not supported for this application unless explicitly invited to an organization.",
  ),
  userCancelled: entra(0, "access_denied", "the user canceled the authentication"),
  unsupportedByEmulator: entra(90056, "invalid_request", "{detail}"),
} as const satisfies Record<string, EntraErrorDefinition>;

export type EntraErrorName = keyof typeof ENTRA_ERRORS;

export function fillTemplate(template: string, params: Record<string, string | number | undefined>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => {
    const value = params[key];
    return value === undefined ? whole : String(value);
  });
}

/** `YYYY-MM-DD HH:MM:SSZ` (docs/protocol/entra.md A4). */
export function entraTimestamp(date: Date = new Date()): string {
  return `${date.toISOString().slice(0, 19).replace("T", " ")}Z`;
}

export interface EntraErrorBody {
  error: string;
  error_description: string;
  error_codes: number[];
  timestamp: string;
  trace_id: string;
  correlation_id: string;
  error_uri: string;
  [extra: string]: unknown;
}

export interface EntraErrorInstance {
  name: EntraErrorName;
  status: number;
  body: EntraErrorBody;
  /** The first line of error_description ("AADSTSnnn: message"). */
  summary: string;
}

/**
 * The token-endpoint error JSON, exactly in the documented shape: error_description carries
 * "\r\nTrace ID: …\r\nCorrelation ID: …\r\nTimestamp: …".
 */
export function entraError(
  name: EntraErrorName,
  params: Record<string, string | number | undefined>,
  options: { authority: string; correlationId?: string; errorOverride?: string },
): EntraErrorInstance {
  const definition: EntraErrorDefinition = ENTRA_ERRORS[name];
  const traceId = randomGuid();
  const correlationId = options.correlationId ?? randomGuid();
  const timestamp = entraTimestamp();
  const summary = `AADSTS${definition.code}: ${fillTemplate(definition.template, params)}`;
  return {
    name,
    status: definition.status,
    summary,
    body: {
      error: options.errorOverride ?? definition.error,
      error_description: `${summary}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlationId}\r\nTimestamp: ${timestamp}`,
      error_codes: [definition.code],
      timestamp,
      trace_id: traceId,
      correlation_id: correlationId,
      error_uri: `${options.authority}/error?code=${definition.code}`,
    },
  };
}

// ---------------------------------------------------------------- Dataverse (docs/protocol/dataverse.md B6)

export interface DataverseErrorDefinition {
  status: number;
  code: string;
  template: string;
  /**
   * The platform's name for the error, sent as `@Microsoft.PowerApps.CDS.ErrorDetails.ApiExceptionMessageName` when
   * the client asks for annotations (docs/protocol/dataverse.md "Annotations"); only where it is known.
   */
  messageName?: string;
}

export const DATAVERSE_ERRORS = {
  /** [V-3p] no application user for the token's appid (or no systemuser for a user's oid). */
  notMember: { status: 403, code: "0x80072560", template: "The user is not a member of the organization." },
  /** Message [V], code [U] (docs/protocol/dataverse.md B6). */
  userDisabled: {
    status: 403,
    code: "0x8004430d",
    template:
      "The user with SystemUserId={systemUserId} in OrganizationContext={organizationId} is disabled. Disabled users cannot access the system. Consider enabling this user. Also, users are disabled if they don't have a license assigned to them.",
  },
  /**
   * Administration mode (docs/protocol/dataverse.md "Administration mode"): the rule is [V], the status and code are
   * [U] (Microsoft's clients long saw a bare 403; newer servers add a message naming administration mode).
   */
  administrationMode: {
    status: 403,
    code: "0x8004f0fd",
    template:
      "The organization {organizationId} is in administration mode. Only users with the System Administrator or System Customizer security role can access it.",
  },
  /** A person outside the environment's security group (docs/protocol/dataverse.md "Security group"; code [U]). */
  notInSecurityGroup: {
    status: 403,
    code: "0x80072560",
    template:
      "The user is not a member of the organization. Access to this environment is restricted to the members of a security group.",
  },
  /** [V] message shape and code. */
  missingPrivilege: {
    status: 403,
    code: "0x80040220",
    messageName: "PrivilegeDenied",
    template:
      "Principal user (Id={systemUserId}, type=8, roleCount={roleCount}, privilegeCount={privilegeCount}, accessMode={accessMode}), is missing {privilegeName} privilege (Id={privilegeId}) on OTC={otc} for entity '{entity}'. context.Caller={systemUserId}",
  },
  /** Depth check failure on a single record ([U] text modelled on SecLib::AccessCheckEx). */
  recordAccessDenied: {
    status: 403,
    code: "0x80040220",
    messageName: "PrivilegeDenied",
    template:
      "SecLib::AccessCheckEx failed. Returned hr = -2147187962, ObjectID: {recordId}, OwnerId: {ownerId},  OwnerIdType: 8 and CallingUser: {systemUserId}. ObjectTypeCode: {otc}, objectBusinessUnitId: {businessUnitId}, AccessRights: {accessRights} ",
  },
  /** [V] message and name (docs/protocol/dataverse.md "Annotations"). */
  recordNotFound: {
    status: 404,
    code: "0x80040217",
    template: "Entity '{entity}' With Id = {id} Does Not Exist",
    messageName: "ObjectDoesNotExist",
  },
  resourceNotFound: { status: 404, code: "0x80060888", template: "Resource not found for the segment '{segment}'." },
  propertyNotFound: {
    status: 400,
    code: "0x80060888",
    template: "Could not find a property named '{property}' on type 'Microsoft.Dynamics.CRM.{entity}'.",
  },
  querySyntax: { status: 400, code: "0x80060888", template: "Syntax error at position {position} in '{expression}'." },
  badRequest: { status: 400, code: "0x80040203", template: "{detail}", messageName: "InvalidArgument" },
  /** [V-3p] any query parameter Dataverse does not know, or knows but refuses ($skip, $search, $format); names are case-sensitive. */
  queryParameterNotSupported: { status: 400, code: "0x0", template: "The query parameter {name} is not supported" },
  /** A query option Dataverse supports but the emulator does not implement (fetchXml, savedQuery, userQuery, $apply, tag). */
  queryParameterNotEmulated: {
    status: 400,
    code: "0x0",
    template:
      "The query parameter {name} is not supported by the emulated Dataverse: Dataverse supports it, the emulator does not implement it.",
  },
  /** [U] a `$skiptoken` the server did not write (Dataverse's exact answer is unknown). */
  invalidSkipToken: {
    status: 400,
    code: "0x80060888",
    template:
      "The $skiptoken value '{value}' is not a paging cookie this server wrote. Use the @odata.nextLink URL as it was returned.",
  },
  invalidJson: {
    status: 400,
    code: "0x80048d19",
    template:
      "Error identified in Payload provided by the user for Entity :'{entity}', For more information on this error please follow this help link https://go.microsoft.com/fwlink/?linkid=2195293  ----> InnerException : Microsoft.OData.ODataException: {detail}",
  },
  methodNotAllowed: {
    status: 405,
    code: "0x80060888",
    template: "The requested resource does not support http method '{method}'.",
  },
  duplicateRecord: {
    status: 412,
    code: "0x80040237",
    template:
      "A record that has the attribute values {attribute} already exists. The entity key requires that this set of attributes contains unique values.",
  },
  /** [U] the service principal of `applicationid` does not exist in the environment's tenant (docs/protocol/dataverse.md B4). */
  applicationNotInTenant: {
    status: 400,
    code: "0x80072566",
    template:
      "Application with id {applicationId} could not be found in the Microsoft Entra tenant {tenantId} of this organization. The application must be consented in the tenant before an application user can be created.",
  },
  /** [V] service protection codes/messages (PA api-limits). */
  throttle0x80072322: {
    status: 429,
    code: "0x80072322",
    template: "Number of requests exceeded the limit of 6000 over time window of 300 seconds.",
  },
  throttle0x80072321: {
    status: 429,
    code: "0x80072321",
    template:
      "Combined execution time of incoming requests exceeded limit of 1,200,000 milliseconds over time window of 300 seconds. Decrease number of concurrent requests or reduce the duration of requests and try again later.",
  },
  throttle0x80072326: {
    status: 429,
    code: "0x80072326",
    template: "Number of concurrent requests exceeded the limit of 52.",
  },
  /** [U] body of the 401s (the reference says it may be empty). */
  unauthorized: { status: 401, code: "", template: "{detail}" },
  internal: { status: 500, code: "0x80040216", template: "An unexpected error occurred: {detail}" },
} as const satisfies Record<string, DataverseErrorDefinition>;

export type DataverseErrorName = keyof typeof DATAVERSE_ERRORS;

export interface DataverseErrorInstance {
  status: number;
  body: { error: { code: string; message: string } };
  messageName?: string;
}

export function dataverseError(
  name: DataverseErrorName,
  params: Record<string, string | number | undefined> = {},
): DataverseErrorInstance {
  const definition: DataverseErrorDefinition = DATAVERSE_ERRORS[name];
  return {
    status: definition.status,
    body: { error: { code: definition.code, message: fillTemplate(definition.template, params) } },
    ...(definition.messageName ? { messageName: definition.messageName } : {}),
  };
}

/** Thrown by Dataverse handlers; the router turns it into the OData error response. */
export class DataverseHttpError extends Error {
  constructor(readonly instance: DataverseErrorInstance) {
    super(instance.body.error.message);
    this.name = "DataverseHttpError";
  }
}

export function failDataverse(
  name: DataverseErrorName,
  params: Record<string, string | number | undefined> = {},
): never {
  throw new DataverseHttpError(dataverseError(name, params));
}
