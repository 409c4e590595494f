import { describe, expect, it } from "vitest";
import { resolvesToLoopbackHere } from "@/lib/http/outbound";

describe("outbound name resolution", () => {
  it("answers .localhost names with loopback in demo mode only (the emulator's environments)", () => {
    expect(resolvesToLoopbackHere("contoso.crm.dynamics.localhost", "demo")).toBe(true);
    expect(resolvesToLoopbackHere("localhost", "demo")).toBe(true);
    expect(resolvesToLoopbackHere("contoso.crm.dynamics.localhost", "production")).toBe(false);
    expect(resolvesToLoopbackHere("localhost", "production")).toBe(false);
    expect(resolvesToLoopbackHere("contoso.crm.dynamics.com", "demo")).toBe(false);
    expect(resolvesToLoopbackHere("evil-localhost.example", "demo")).toBe(false);
  });
});
