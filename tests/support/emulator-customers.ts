// A brand-new customer tenant (and its environments) in an in-process emulator, so a test starts from a tenant
// neither the emulator nor the portal's database has seen — whatever the file's other tests did, in any order.
// The in-process twin of tests/e2e/support/emulator.ts stageCustomer.
import { randomUUID } from "node:crypto";
import { scenario, type CustomerSpec, type EmulatorHandle } from "@tenant-onboarding/emulator";

export type StagedCustomer = {
  tenantId: string;
  domain: string;
  /** The emulator's name of one of the spec's environments (unique to this customer). */
  environmentName(name: string): string;
  environmentUrl(name: string): string;
};

/** Adds the customer to the emulator's scenario: `stageCustomer(emu, { name: "Broken", environments: [{ name: "prod", appUser: "no-role" }] })`. */
export function stageCustomer(emulator: EmulatorHandle, spec: Omit<CustomerSpec, "id" | "domain">): StagedCustomer {
  const tenantId = randomUUID();
  const slug = `t${tenantId.slice(0, 8)}`;
  const domain = `${slug}.onmicrosoft.com`;
  const environmentName = (name: string) => `${slug}-${name}`;
  const built = scenario({
    customers: [
      {
        ...spec,
        id: tenantId,
        domain,
        environments: spec.environments?.map((e) => ({ ...e, name: environmentName(e.name) })),
      },
    ],
  });
  const current = emulator.admin.state().scenario;
  current.tenants.push(...built.tenants.filter((t) => t.id === tenantId));
  current.environments.push(...built.environments.filter((e) => e.tenantId === tenantId));
  emulator.admin.replaceScenario(current);
  return {
    tenantId,
    domain,
    environmentName,
    environmentUrl: (name) => emulator.environmentUrl(environmentName(name)),
  };
}
