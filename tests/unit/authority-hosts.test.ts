import { describe, expect, it } from "vitest";
import { sameCloudAuthority } from "@/lib/entra/authority-hosts";

describe("sameCloudAuthority", () => {
  it("accepts each cloud's aliases and nothing across clouds", () => {
    expect(sameCloudAuthority("login.windows.net", "login.microsoftonline.com")).toBe(true);
    expect(sameCloudAuthority("LOGIN.MICROSOFT.COM", "login.microsoftonline.com")).toBe(true);
    expect(sameCloudAuthority("login.usgovcloudapi.net", "login.microsoftonline.us")).toBe(true);
    expect(sameCloudAuthority("login.microsoftonline.us", "login.microsoftonline.com")).toBe(false);
    expect(sameCloudAuthority("login.chinacloudapi.cn", "login.windows.net")).toBe(false);
    expect(sameCloudAuthority("127.0.0.1:44300", "127.0.0.1:44300")).toBe(true);
    expect(sameCloudAuthority("evil.example", "login.microsoftonline.com")).toBe(false);
  });
});
