// An OTLP/HTTP trace receiver for tests and the benchmark: accepts POST /v1/traces in OTLP's JSON encoding (what
// @opentelemetry/exporter-trace-otlp-http sends) and keeps every span with its attributes as plain values.
// Independent of the portal's code: node:http only.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { pathToFileURL } from "node:url";

export type ReceivedSpan = {
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  name: string;
  kind: number;
  startNs: bigint;
  endNs: bigint;
  attributes: Record<string, string | number | boolean>;
  serviceName: string | undefined;
};

type AnyValue = { stringValue?: string; intValue?: string | number; doubleValue?: number; boolValue?: boolean };
type KeyValue = { key: string; value: AnyValue };
type OtlpJson = {
  resourceSpans?: Array<{
    resource?: { attributes?: KeyValue[] };
    scopeSpans?: Array<{
      spans?: Array<{
        traceId: string;
        spanId: string;
        parentSpanId?: string;
        name: string;
        kind: number;
        startTimeUnixNano: string;
        endTimeUnixNano: string;
        attributes?: KeyValue[];
      }>;
    }>;
  }>;
};

const plain = (v: AnyValue): string | number | boolean =>
  v.stringValue ?? (v.intValue !== undefined ? Number(v.intValue) : undefined) ?? v.doubleValue ?? v.boolValue ?? "";
const attributesOf = (kvs: KeyValue[] = []) => Object.fromEntries(kvs.map((kv) => [kv.key, plain(kv.value)]));

export type OtlpReceiver = { endpoint: string; spans: ReceivedSpan[]; requests: number; close(): Promise<void> };

export async function startOtlpReceiver(port = 0): Promise<OtlpReceiver> {
  const receiver = { spans: [] as ReceivedSpan[], requests: 0 };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      if (
        req.method !== "POST" ||
        req.url !== "/v1/traces" ||
        !String(req.headers["content-type"]).startsWith("application/json")
      ) {
        res.writeHead(415).end();
        return;
      }
      receiver.requests++;
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as OtlpJson;
      for (const rs of body.resourceSpans ?? []) {
        const resource = attributesOf(rs.resource?.attributes);
        for (const ss of rs.scopeSpans ?? []) {
          for (const s of ss.spans ?? []) {
            receiver.spans.push({
              traceId: s.traceId,
              spanId: s.spanId,
              parentSpanId: s.parentSpanId || undefined,
              name: s.name,
              kind: s.kind,
              startNs: BigInt(s.startTimeUnixNano),
              endNs: BigInt(s.endTimeUnixNano),
              attributes: attributesOf(s.attributes),
              serviceName: typeof resource["service.name"] === "string" ? resource["service.name"] : undefined,
            });
          }
        }
      }
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const address = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    get spans() {
      return receiver.spans;
    },
    get requests() {
      return receiver.requests;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

// As a process of its own (the benchmark, so that parsing spans is not counted as the portal's CPU):
// `tsx scripts/otlp-receiver.ts` prints its endpoint on the first line; GET /stats answers {"spans": n}.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  void (async () => {
    const receiver = await startOtlpReceiver();
    const stats = createServer((_req, res) =>
      res
        .writeHead(200, { "content-type": "application/json" })
        .end(JSON.stringify({ spans: counted + receiver.spans.length })),
    );
    let counted = 0;
    await new Promise<void>((resolve) => stats.listen(0, "127.0.0.1", resolve));
    console.log(
      JSON.stringify({
        endpoint: receiver.endpoint,
        stats: `http://127.0.0.1:${(stats.address() as AddressInfo).port}/stats`,
      }),
    );
    // Keep memory flat on long runs: only the count matters here.
    setInterval(() => (counted += receiver.spans.splice(0).length), 2_000);
  })();
}
