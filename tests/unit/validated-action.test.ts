// lib/auth/validated-action.ts: the guard runs first, then a wrong argument shape gets the typed answer.
import { describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { formDataArg, previousStateArg, validatedAction } from "@/lib/auth/validated-action";
import { requestStateStorage, type RequestState } from "@/lib/http/refusal";

describe("validatedAction", () => {
  type State = { got?: FormDataEntryValue | null; error?: string };
  const run = vi.fn(async (_session: string, [, form]: [unknown, FormData]): Promise<State> => ({
    got: form.get("a"),
  }));
  const act = validatedAction(
    {
      args: z.tuple([previousStateArg, formDataArg]),
      guard: async () => "session",
      invalid: (): State => ({ error: "bad" }),
    },
    run,
  );

  it("runs the action with valid arguments", async () => {
    const form = new FormData();
    form.set("a", "b");
    expect(await act({}, form)).toEqual({ got: "b" });
  });

  it.each([[[]], [["x"]], [[new FormData()]], [[{}, "x"]], [[{}, new FormData(), 1]]])(
    "answers %j with the typed error, not a TypeError",
    async (args) => {
      run.mockClear();
      expect(await (act as (...a: unknown[]) => Promise<unknown>)(...args)).toEqual({ error: "bad" });
      expect(run).not.toHaveBeenCalled();
    },
  );

  it("records a refusal (forbidden()) on the request, so that it goes out as a 403 whatever Next answers (issue 19 item 6)", async () => {
    const forbidden = Object.assign(new Error("NEXT_HTTP_ERROR_FALLBACK;403"), {
      digest: "NEXT_HTTP_ERROR_FALLBACK;403",
    });
    const refused = validatedAction(
      { args: z.tuple([]), guard: () => Promise.reject(forbidden), invalid: () => "invalid" },
      async () => "ran",
    );
    const other = validatedAction(
      { args: z.tuple([]), guard: () => Promise.reject(new Error("database down")), invalid: () => "invalid" },
      async () => "ran",
    );
    const state: RequestState = { refusal: null };
    await requestStateStorage().run(state, async () => {
      await expect(other()).rejects.toThrow("database down");
      expect(state.refusal).toBeNull();
      await expect(refused()).rejects.toBe(forbidden);
    });
    expect(state.refusal).toBe(403);
  });

  it("checks access before the arguments", async () => {
    const denied = validatedAction(
      { args: z.tuple([formDataArg]), guard: () => Promise.reject(new Error("forbidden")), invalid: () => "invalid" },
      async () => "ran",
    );
    await expect((denied as (...a: unknown[]) => Promise<unknown>)("x")).rejects.toThrow("forbidden");
  });
});
