// The one way tests change the portal's configuration: set (or, with undefined, remove) environment variables, and
// lib/config reads process.env again on its next call — whatever was read before, in this file or an earlier test.
import { resetConfigForTests } from "@/lib/config";

export type TestEnv = Record<string, string | undefined>;

export function setTestEnv(vars: TestEnv): void {
  for (const [name, value] of Object.entries(vars)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  resetConfigForTests();
}
