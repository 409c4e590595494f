import { usePortalDatabase } from "../support/portal-database";
import { rateLimitSuite } from "./rate-limits.suite";

usePortalDatabase("postgres");
rateLimitSuite("postgres");
