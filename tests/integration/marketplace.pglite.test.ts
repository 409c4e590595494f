import { marketplaceSuite } from "./marketplace.suite";

marketplaceSuite("pglite");
