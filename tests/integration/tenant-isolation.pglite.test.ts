import { usePortalDatabase } from "../support/portal-database";
import { tenantIsolationSuite } from "./tenant-isolation.suite";

usePortalDatabase("pglite");
tenantIsolationSuite();
