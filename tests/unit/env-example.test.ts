// .env.example lists every variable of README's configuration table, each as a NAME= line under its comment.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const readme = readFileSync("README.md", "utf8");
const example = readFileSync(".env.example", "utf8");

function configurationTableVariables(): string[] {
  const section = readme.slice(
    readme.indexOf("## Configuration"),
    readme.indexOf("### Pointing it at the real Microsoft cloud"),
  );
  const rows = section.split("\n").filter((l) => l.startsWith("| `"));
  return rows.flatMap((row) => [...row.split("|")[1]!.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1]!));
}

describe(".env.example", () => {
  const variables = configurationTableVariables();

  it("reads the configuration table", () => {
    expect(variables).toContain("DATABASE_URL");
    expect(variables.length).toBeGreaterThan(20);
  });

  it.each(variables)("has %s, commented", (name) => {
    const lines = example.split("\n");
    const index = lines.findIndex((l) => l.startsWith(`${name}=`));
    expect(index, `${name}= in .env.example`).toBeGreaterThan(0);
    // Variables that go together (a certificate and its key) share the comment above them.
    let above = index - 1;
    while (above > 0 && /^[A-Z][A-Z0-9_]*=/.test(lines[above]!)) above -= 1;
    expect(lines[above], `a comment above ${name}`).toMatch(/^# \S/);
  });
});
