// POST /api/marketplace/webhook: the commercial marketplace's connection webhook (README "Selling on AppSource").
// Thin: lib/subscriptions/webhook.ts checks Microsoft's token, confirms the operation and acts on it.
import { receiveMarketplaceNotification } from "@/lib/subscriptions/webhook";

export const dynamic = "force-dynamic";

export async function POST(request: Request) {
  const answer = await receiveMarketplaceNotification(request);
  return new Response(JSON.stringify(answer.body), {
    status: answer.status,
    headers: { "Content-Type": "application/json", "Cache-Control": "no-store", ...answer.headers },
  });
}

function onlyPost() {
  return new Response(
    JSON.stringify({ status: 405, detail: "Microsoft's marketplace POSTs its notifications here." }),
    {
      status: 405,
      headers: { Allow: "POST", "Content-Type": "application/json", "Cache-Control": "no-store" },
    },
  );
}

export const GET = onlyPost;
export const PUT = onlyPost;
export const PATCH = onlyPost;
export const DELETE = onlyPost;
