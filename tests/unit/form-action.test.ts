// lib/auth/form-action.ts: a form's fields parsed into typed values after the guard; fields in error answer a
// message each and what was typed; fields the schema does not name are ignored.
import { describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { formAction, optionalText, parseForm, plainFormAction } from "@/lib/auth/form-action";

const form = (entries: [string, string | Blob][]) => {
  const data = new FormData();
  for (const [name, value] of entries) data.append(name, value);
  return data;
};

const fields = z.object({
  name: z.string().trim().min(1, "Enter a name."),
  days: z.coerce.number("Choose a number of days.").int().min(1, "At least one day."),
  note: optionalText(z.string().max(5, "Keep the note short.")),
  picks: z.array(z.enum(["a", "b"], "Pick a or b.")).max(2),
  agree: z.coerce.boolean(),
});

describe("parseForm", () => {
  it("gives typed fields: coerced numbers and booleans, trimmed text, lists for array fields, empty optional text as undefined", () => {
    const parsed = parseForm(
      fields,
      form([
        ["name", "  Contoso "],
        ["days", "7"],
        ["note", "   "],
        ["picks", "a"],
        ["picks", "b"],
        ["agree", "on"],
      ]),
    );
    expect(parsed).toMatchObject({
      ok: true,
      fields: { name: "Contoso", days: 7, note: undefined, picks: ["a", "b"], agree: true },
    });
  });

  it("answers the first message of each field in error and what was typed in every field", () => {
    const parsed = parseForm(
      fields,
      form([
        ["name", " "],
        ["days", "zero"],
        ["note", "far too long"],
        ["picks", "c"],
      ]),
    );
    expect(parsed).toEqual({
      ok: false,
      fieldErrors: {
        name: "Enter a name.",
        days: "Choose a number of days.",
        note: "Keep the note short.",
        picks: "Pick a or b.",
      },
      values: { name: " ", days: "zero", note: "far too long", picks: "c", agree: "" },
    });
  });

  it("ignores fields the schema does not name (Next's own $ACTION_ fields, anything forged)", () => {
    const parsed = parseForm(
      fields,
      form([
        ["name", "x"],
        ["days", "1"],
        ["$ACTION_ID_abc", ""],
        ["isAdmin", "true"],
      ]),
    );
    expect(parsed.ok).toBe(true);
    expect(parsed.ok && parsed.fields).toEqual({ name: "x", days: 1, note: undefined, picks: [], agree: false });
    expect(parsed.ok && parsed.submitted.values).not.toHaveProperty("isAdmin");
  });

  it("keeps at most 2048 characters of a value and never a file's content", () => {
    const parsed = parseForm(
      z.object({ name: z.string().max(10, "Too long."), note: z.string("Text only.") }),
      form([
        ["name", "x".repeat(100_000)],
        ["note", new Blob(["file"])],
      ]),
    );
    expect(parsed).toEqual({
      ok: false,
      fieldErrors: { name: "Too long.", note: "Text only." },
      values: { name: "x".repeat(2048), note: "" },
    });
  });

  it("puts a refinement of the whole form on its first field", () => {
    const pair = z.object({ a: z.string(), b: z.string() }).refine((v) => v.a !== v.b, "Choose two different values.");
    expect(
      parseForm(
        pair,
        form([
          ["a", "x"],
          ["b", "x"],
        ]),
      ),
    ).toMatchObject({ ok: false, fieldErrors: { a: "Choose two different values." } });
  });
});

describe("formAction", () => {
  type State = {
    fieldErrors?: Record<string, string>;
    values?: Record<string, string>;
    saved?: string;
    error?: string;
  };
  const run = vi.fn(async (_session: string, { name }: { name: string }): Promise<State> => ({ saved: name }));
  const act = formAction(
    {
      fields: z.object({ name: z.string().min(1, "Enter a name.") }),
      guard: async () => "session",
      invalid: (): State => ({ error: "bad" }),
    },
    run,
  );

  it("runs the action with the typed fields", async () => {
    expect(await act({}, form([["name", "Contoso"]]))).toEqual({ saved: "Contoso" });
  });

  it("answers field errors and the values to keep without running the action", async () => {
    run.mockClear();
    expect(await act({}, form([["name", ""]]))).toEqual({
      ok: false,
      fieldErrors: { name: "Enter a name." },
      values: { name: "" },
    });
    expect(run).not.toHaveBeenCalled();
  });

  it("lets the action refuse a field itself, with the values typed", async () => {
    const refusing = formAction(
      { fields: z.object({ url: z.string() }), guard: async () => null, invalid: () => ({}) },
      async (_s, _f, { refuse }) => refuse({ url: "Already registered." }),
    );
    expect(await refusing({}, form([["url", "https://x"]]))).toEqual({
      ok: false,
      fieldErrors: { url: "Already registered." },
      values: { url: "https://x" },
    });
  });

  it.each([[[]], [[form([["name", "x"]])]], [[{}, "x"]], [[{}, form([]), 1]]])(
    "answers the call %# that is not a form post with the typed error",
    async (args) => {
      expect(await (act as (...a: unknown[]) => Promise<unknown>)(...args)).toEqual({ error: "bad" });
    },
  );

  it("checks access before the form", async () => {
    const denied = formAction(
      {
        fields: z.object({ name: z.string() }),
        guard: () => Promise.reject(new Error("forbidden")),
        invalid: () => "invalid",
      },
      async () => "ran",
    );
    await expect(denied({}, form([]))).rejects.toThrow("forbidden");
  });
});

describe("plainFormAction", () => {
  const act = plainFormAction(
    {
      fields: z.object({ id: z.uuid() }),
      guard: async () => "session",
      invalid: () => "invalid",
      refused: (refusal) => `refused: ${refusal.fieldErrors.id ? "id" : ""}`,
    },
    async (_session, { id }) => `ran ${id}`,
  );

  it("runs with the typed fields, answers `refused` for fields in error and `invalid` for a call that is not a form post", async () => {
    const id = "0b7e5c8e-3d5f-4f4a-9a51-2b0c5d1e6f70";
    expect(await act(form([["id", id]]))).toBe(`ran ${id}`);
    expect(await act(form([["id", "nope"]]))).toBe("refused: id");
    expect(await (act as (...a: unknown[]) => Promise<unknown>)({}, form([["id", id]]))).toBe("invalid");
  });
});
