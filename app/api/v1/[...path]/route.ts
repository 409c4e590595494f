// Any other path under /api/v1: a problem+json 404 rather than the portal's HTML not-found page.
import { unknownPath } from "@/lib/api/routes";

export const dynamic = "force-dynamic";

export const GET = unknownPath;
export const HEAD = unknownPath;
export const POST = unknownPath;
export const PUT = unknownPath;
export const PATCH = unknownPath;
export const DELETE = unknownPath;
