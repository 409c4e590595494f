import { usePortalDatabase } from "../support/portal-database";
import { supportTenantListSuite } from "./support-tenant-list.suite";

usePortalDatabase("postgres");
supportTenantListSuite();
