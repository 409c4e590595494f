// lib/auth/validated-action.ts: the guard runs first, then a wrong argument shape gets the typed answer.
import { describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { formDataArg, previousStateArg, validatedAction } from "@/lib/auth/validated-action";

describe("validatedAction", () => {
  type State = { got?: FormDataEntryValue | null; error?: string };
  const run = vi.fn(async (_session: string, [, form]: [unknown, FormData]): Promise<State> => ({ got: form.get("a") }));
  const act = validatedAction({ args: z.tuple([previousStateArg, formDataArg]), guard: async () => "session", invalid: (): State => ({ error: "bad" }) }, run);

  it("runs the action with valid arguments", async () => {
    const form = new FormData();
    form.set("a", "b");
    expect(await act({}, form)).toEqual({ got: "b" });
  });

  it.each([[[]], [["x"]], [[new FormData()]], [[{}, "x"]], [[{}, new FormData(), 1]]])("answers %j with the typed error, not a TypeError", async (args) => {
    run.mockClear();
    expect(await (act as (...a: unknown[]) => Promise<unknown>)(...args)).toEqual({ error: "bad" });
    expect(run).not.toHaveBeenCalled();
  });

  it("checks access before the arguments", async () => {
    const denied = validatedAction({ args: z.tuple([formDataArg]), guard: () => Promise.reject(new Error("forbidden")), invalid: () => "invalid" }, async () => "ran");
    await expect((denied as (...a: unknown[]) => Promise<unknown>)("x")).rejects.toThrow("forbidden");
  });
});
