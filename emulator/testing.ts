/**
 * `@tenant-onboarding/emulator/testing`: the few internals the emulator's own tests (tests/emulator/) check
 * directly — the admin router without a socket (to fake a non-loopback caller), the certificate helpers, the
 * privilege ids of Dataverse's error texts. Everything else goes through the main entry (index.ts); no caller
 * imports a file of the package by its path.
 */
import { fileURLToPath } from "node:url";

export { createAdminRouter, handleAdminRequest } from "./admin-http";
export type { EmulatorRequest } from "./http";
export { RequestLog } from "./request-log";
export { createSelfSignedCertificate, ensureCa } from "./tls";
export { privilegeId } from "./dataverse/privileges";
export { certificateDnsNames, environmentHost, WILDCARD_FROM_ENVIRONMENTS } from "./hosts";

/** The `ensure-ca.ts` program (`NODE_EXTRA_CA_CERTS=$(npx tsx emulator/ensure-ca.ts)`), to run it as the scripts do. */
export const ENSURE_CA_PROGRAM = fileURLToPath(new URL("./ensure-ca.ts", import.meta.url));
