import { activeSessionSuite } from "./active-session.suite";

activeSessionSuite("postgres");
