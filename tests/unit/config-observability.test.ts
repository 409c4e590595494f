// The operations variables of lib/config.ts: metrics and traces are off unless configured, and a bad value is named.
import { describe, expect, it } from "vitest";
import { parseConfig } from "@/lib/config";

describe("configuration: metrics and traces", () => {
  it("are off by default", () => {
    expect(parseConfig({}).observability).toEqual({ metricsToken: null, traces: null });
  });

  it("takes a metrics token of at least 24 characters", () => {
    expect(parseConfig({ METRICS_TOKEN: "m".repeat(24) }).observability.metricsToken).toBe("m".repeat(24));
    expect(() => parseConfig({ METRICS_TOKEN: "short" })).toThrow(
      "Configuration error: METRICS_TOKEN must be at least 24 characters",
    );
  });

  it("takes an OTLP/HTTP endpoint, its headers and the service name", () => {
    const c = parseConfig({
      OTEL_EXPORTER_OTLP_ENDPOINT: "https://otel.example.com:4318/",
      OTEL_EXPORTER_OTLP_HEADERS: "x-api-key=abc%20def, x-team=ops",
      OTEL_SERVICE_NAME: "onboarding",
    });
    expect(c.observability.traces).toEqual({
      endpoint: "https://otel.example.com:4318",
      headers: { "x-api-key": "abc def", "x-team": "ops" },
      serviceName: "onboarding",
    });
    expect(
      parseConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318" }).observability.traces?.serviceName,
    ).toBe("tenant-onboarding-portal");
  });

  it("names a malformed endpoint or header list", () => {
    expect(() => parseConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: "collector:4318" })).toThrow(
      /OTEL_EXPORTER_OTLP_ENDPOINT must be the OTLP\/HTTP collector's base URL/,
    );
    expect(() =>
      parseConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318", OTEL_EXPORTER_OTLP_HEADERS: "novalue" }),
    ).toThrow(/OTEL_EXPORTER_OTLP_HEADERS must be key=value pairs/);
  });
});
