import { activeSessionSuite } from "./active-session.suite";

activeSessionSuite("pglite");
