import "server-only";

// Key Vault references in place of the portal's own secrets (docs/protocol/identity.md R1; README "Running without
// secrets"): AUTH_SECRET, WEBHOOK_SECRET, SMTP_PASSWORD, ENTRA_CLIENT_SECRET(_2) may each be
// `@Microsoft.KeyVault(SecretUri=https://<vault>.vault.azure.net/secrets/<name>[/<version>])`. They are read once,
// at start (lib/startup.ts, scripts/worker.ts), with the portal's Key Vault identity; a reference that cannot be read
// stops start-up with one line naming the variable and Microsoft's answer — never a value.
import { keyVaultReferences, useResolvedReferences, type KeyVaultReferenceVariable } from "@/lib/config";
import { secretClient, vaultErrorLine } from "@/lib/vault/clients";

export class KeyVaultReferenceError extends Error {
  constructor(
    readonly variable: KeyVaultReferenceVariable,
    readonly reason: string,
  ) {
    super(`Configuration error: ${variable} is a Key Vault reference that could not be read: ${reason}`);
    this.name = "KeyVaultReferenceError";
  }
}

/** Reads every Key Vault reference of the configuration and installs the values; returns how many there were. */
export async function resolveKeyVaultReferences(): Promise<number> {
  const references = keyVaultReferences();
  const values: Partial<Record<KeyVaultReferenceVariable, string>> = {};
  for (const reference of references) {
    try {
      const secret = await secretClient(reference.vaultUrl).getSecret(
        reference.name,
        reference.version ? { version: reference.version } : {},
      );
      if (secret.value === undefined) throw new Error("the secret has no value");
      values[reference.variable] = secret.value;
    } catch (error) {
      throw new KeyVaultReferenceError(reference.variable, vaultErrorLine(error));
    }
  }
  if (references.length > 0) useResolvedReferences(values);
  return references.length;
}
