import { marketplaceSuite } from "./marketplace.suite";

marketplaceSuite("postgres");
