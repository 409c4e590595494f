// Checks an answer of the portal's API against its own OpenAPI document: the status must be documented for the
// operation, the content type must be the documented one, the body must validate against the documented schema
// (JSON Schema 2020-12, as OpenAPI 3.1 uses), and the documented headers must be present.
import { Ajv2020 } from "ajv/dist/2020.js";
import { expect } from "vitest";

type Json = Record<string, unknown>;
type MediaType = { schema?: Json };
type ResponseDoc = { content?: Record<string, MediaType>; headers?: Record<string, { required?: boolean }> };

export function openApiChecker(document: Json) {
  // Formats (uuid, date-time, uri) are not asserted here: zod-openapi also writes them as patterns, which are.
  const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
  ajv.addSchema({ $id: "openapi.json", components: document.components ?? {} });
  const paths = document.paths as Record<string, Record<string, { responses: Record<string, ResponseDoc> }>>;

  return async function expectDocumented(path: string, response: Response): Promise<unknown> {
    const operation = paths[path]?.get;
    expect(operation, `GET ${path} is documented`).toBeDefined();
    const documented = operation!.responses[String(response.status)];
    expect(documented, `status ${response.status} of GET ${path} is documented`).toBeDefined();
    for (const [name, header] of Object.entries(documented!.headers ?? {})) {
      if (header.required !== false)
        expect(response.headers.get(name), `header ${name} of ${response.status}`).not.toBeNull();
    }
    if (!documented!.content) {
      expect(await response.text()).toBe("");
      return null;
    }
    const type = (response.headers.get("content-type") ?? "").split(";")[0]!;
    const media = documented!.content[type];
    expect(
      media,
      `content type ${type} of ${response.status} is documented (${Object.keys(documented!.content).join(", ")})`,
    ).toBeDefined();
    const body = (await response.json()) as unknown;
    const validate = ajv.compile(withRefsInto(media!.schema ?? {}));
    const valid = validate(body);
    expect(validate.errors ?? [], `body of ${response.status} matches the document`).toEqual([]);
    expect(valid).toBe(true);
    return body;
  };
}

/** The media type's schema with its `#/components/...` references pointed at the registered document. */
function withRefsInto(schema: Json): Json {
  const text = JSON.stringify(schema).replace(/"\$ref":"#\//g, '"$ref":"openapi.json#/');
  return { allOf: [JSON.parse(text) as Json] };
}
