/**
 * CLI: creates (or reuses) the emulator's local CA and prints ONLY the CA certificate path, so that
 * `NODE_EXTRA_CA_CERTS=$(npx tsx emulator/ensure-ca.ts)` works. Optional argument: state directory.
 */
import { ensureCa } from "./tls";

const stateDir = process.argv[2];
const { caCertPath } = await ensureCa(stateDir);
process.stdout.write(`${caCertPath}\n`);
