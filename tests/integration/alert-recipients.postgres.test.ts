import { alertRecipientsSuite } from "./alert-recipients.suite";

alertRecipientsSuite("postgres");
