import type { TokenSigner } from "./signing";
import type { EmulatorState } from "./state";

/** What every handler needs: the mutable state and the token signer. */
export interface EmulatorContext {
  state: EmulatorState;
  signer: TokenSigner;
}
