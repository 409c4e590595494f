import { fileURLToPath } from "node:url";
import path from "node:path";

/** Repository root: this file lives in `<repo>/emulator/`. */
export const repoRoot = path.resolve(fileURLToPath(new URL(".", import.meta.url)), "..");

/**
 * Where the CA, signing keys and demo credentials persist. Git-ignored (`.emulator/`).
 * EMULATOR_STATE_DIR overrides it for processes that cannot pass the option.
 */
export function defaultStateDir(): string {
  return process.env.EMULATOR_STATE_DIR ?? path.join(repoRoot, ".emulator");
}
