import "server-only";

// Every form's server action goes through formAction (or plainFormAction): after the guard and the argument
// check of validatedAction, a zod object parses the form's fields into typed values, so the action itself
// only does its job. Fields the schema does not name are ignored, as a form may carry Next's own ($ACTION_…).
import { z } from "zod";
import { formDataArg, previousStateArg, validatedAction } from "@/lib/auth/validated-action";

/** The form fields a schema names. */
export type FieldName<Fields extends z.ZodObject> = Extract<keyof Fields["shape"], string>;

/** One message per field in error (the forms render it next to its field, `id="<field>-error"`). */
export type FieldErrors<Name extends string> = Partial<Record<Name, string>>;

/** What was typed, given back after a refusal so that the fields keep it (React resets a form after its action). */
export type FormValues<Name extends string> = Record<Name, string>;

/** The answer to fields that fail: their messages and the values to keep. */
export type FormRefusal<Name extends string> = { ok: false; fieldErrors: FieldErrors<Name>; values: FormValues<Name> };

/** The part of a form's state that formAction fills in; each form's state type adds its own success fields. */
export type FormState<Name extends string> = {
  ok?: boolean;
  fieldErrors?: FieldErrors<Name>;
  values?: Partial<FormValues<Name>>;
};

/** What an action's body gets beside the typed fields: the values to keep and a refusal of its own (a check the
 *  schema cannot make, such as "already registered"), with those values. */
export type Submitted<Name extends string> = {
  values: FormValues<Name>;
  refuse: (errors: FieldErrors<Name>) => FormRefusal<Name>;
};

// A value is given back into its field as typed, but never more than a field could hold (a forged post may send megabytes).
const KEPT_VALUE_MAX = 2048;

/** A text field that may be left empty: trimmed, and an empty (or absent, or non-text) one is undefined. */
export function optionalText<T extends z.ZodType<string | undefined>>(schema: T) {
  return z.preprocess((v) => (typeof v === "string" && v.trim() !== "" ? v.trim() : undefined), schema.optional());
}

function isArrayField(schema: z.ZodType): boolean {
  let s: z.core.$ZodType = schema;
  // Optional, nullable and default wrappers keep their inner type under `innerType`.
  while ("innerType" in s._zod.def) s = (s._zod.def as { innerType: z.core.$ZodType }).innerType;
  return s._zod.def.type === "array";
}

/** The form's fields as the schema's input: a list for an array field (checkboxes), else the one value, absent → undefined. */
function fieldInput(fields: z.ZodObject, form: FormData): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(fields.shape)) {
    input[name] = isArrayField(schema as z.ZodType) ? form.getAll(name) : (form.get(name) ?? undefined);
  }
  return input;
}

function keptValues<Name extends string>(names: Name[], form: FormData): FormValues<Name> {
  const values = {} as FormValues<Name>;
  for (const name of names) {
    const value = form.get(name);
    values[name] = typeof value === "string" ? value.slice(0, KEPT_VALUE_MAX) : "";
  }
  return values;
}

export type ParsedForm<Fields extends z.ZodObject> =
  { ok: true; fields: z.output<Fields>; submitted: Submitted<FieldName<Fields>> } | FormRefusal<FieldName<Fields>>;

/** Parses a form's fields: the typed values, or the first message for each field in error and what was typed. */
export function parseForm<Fields extends z.ZodObject>(fields: Fields, form: FormData): ParsedForm<Fields> {
  const names = Object.keys(fields.shape) as FieldName<Fields>[];
  const values = keptValues(names, form);
  const refuse = (fieldErrors: FieldErrors<FieldName<Fields>>): FormRefusal<FieldName<Fields>> => ({
    ok: false,
    fieldErrors,
    values,
  });
  const parsed = fields.safeParse(fieldInput(fields, form));
  if (parsed.success) return { ok: true, fields: parsed.data, submitted: { values, refuse } };
  const fieldErrors: FieldErrors<FieldName<Fields>> = {};
  for (const issue of parsed.error.issues) {
    // A refinement of the whole object names no field: its message goes with the first one.
    const name = (names.includes(issue.path[0] as FieldName<Fields>) ? issue.path[0] : names[0]) as FieldName<Fields>;
    fieldErrors[name] ??= issue.message;
  }
  return refuse(fieldErrors);
}

type Options<Fields extends z.ZodObject, Session, Result> = {
  /** The form's fields, by name: a zod object (z.coerce for numbers; optionalText for a field that may be empty). */
  fields: Fields;
  /** The action's access check, first of all (validatedAction): a refusal is the usual redirect or 403. */
  guard: () => Promise<Session>;
  /** The answer to a call that is not this form's post (no form data, extra arguments). */
  invalid: (error: z.ZodError) => Result | Promise<Result>;
};

/**
 * A form's action for useActionState, `(previousState, formData)`: fields that fail the schema answer
 * `{ ok: false, fieldErrors, values }` without running the action, so the form renders again with what was typed.
 */
export function formAction<Fields extends z.ZodObject, Session, Result>(
  { fields, guard, invalid }: Options<Fields, Session, Result>,
  run: (
    session: Session,
    fields: z.output<Fields>,
    submitted: Submitted<FieldName<Fields>>,
  ) => Promise<Result | FormRefusal<FieldName<Fields>>>,
): (previousState: unknown, form: FormData) => Promise<Result | FormRefusal<FieldName<Fields>>> {
  return validatedAction(
    { args: z.tuple([previousStateArg, formDataArg]), guard, invalid },
    async (session, [, form]) => {
      const parsed = parseForm(fields, form);
      return parsed.ok ? run(session, parsed.fields, parsed.submitted) : parsed;
    },
  );
}

/**
 * A plain `<form action>`, `(formData)`, which has no state to show messages in: fields that fail the schema get
 * `refused` (typically a redirect back to the page, which shows how things stand).
 */
export function plainFormAction<Fields extends z.ZodObject, Session, Result>(
  {
    fields,
    guard,
    invalid,
    refused,
  }: Options<Fields, Session, Result> & {
    refused: (refusal: FormRefusal<FieldName<Fields>>) => Result | Promise<Result>;
  },
  run: (session: Session, fields: z.output<Fields>) => Promise<Result>,
): (form: FormData) => Promise<Result> {
  return validatedAction({ args: z.tuple([formDataArg]), guard, invalid }, async (session, [form]) => {
    const parsed = parseForm(fields, form);
    return parsed.ok ? run(session, parsed.fields) : refused(parsed);
  });
}
