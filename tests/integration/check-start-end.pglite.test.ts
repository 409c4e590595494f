import { usePortalDatabase } from "../support/portal-database";
import { checkStartEndSuite } from "./check-start-end.suite";

usePortalDatabase("pglite");
checkStartEndSuite();
