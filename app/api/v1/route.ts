// /api/v1 itself is no operation: a problem+json 404 pointing at the description.
import { unknownPath } from "@/lib/api/routes";

export const dynamic = "force-dynamic";

export const GET = unknownPath;
export const HEAD = unknownPath;
export const POST = unknownPath;
