// Finds promises that are created, then left without a handler while something else is awaited (issue 19 item 16):
// a rejection in that window has no handler, which Node reports as an unhandled rejection — on a slow or cold
// machine only, since it depends on which finishes first. Syntax only (no type checker), so it looks for:
// - `const p = call(…)` (or `new …`, or an array of calls) not awaited where it is made, later awaited, chained
//   (`.then/.catch/.finally`), given to `expect(p).rejects/resolves` or to `Promise.all/allSettled/race/any`, with
//   an `await` of something else between the two;
// - a function parameter typed `Promise<…>` whose body awaits something else before it first touches it.
// A promise handled where it is made (`call().catch(…)`, `call().then(ok, fail)`) is not reported.
import ts from "typescript";

export type LateHandling = { file: string; line: number; what: string };

const COMBINATOR = /^Promise\.(all|allSettled|race|any)$/;

function handledWhereMade(init: ts.Expression): boolean {
  if (!ts.isCallExpression(init) || !ts.isPropertyAccessExpression(init.expression)) return false;
  const method = init.expression.name.text;
  return method === "catch" || (method === "then" && init.arguments.length >= 2);
}

export function findLateHandling(file: string, text: string): LateHandling[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const lineOf = (node: ts.Node) => source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
  const found: LateHandling[] = [];

  const usedAsPromise = (id: ts.Identifier): boolean => {
    const parent = id.parent;
    if (ts.isAwaitExpression(parent)) return true;
    if (ts.isPropertyAccessExpression(parent) && parent.expression === id)
      return ["then", "catch", "finally"].includes(parent.name.text);
    if (ts.isCallExpression(parent) && parent.arguments.includes(id)) {
      if (COMBINATOR.test(parent.expression.getText(source))) return true;
      return (
        parent.expression.getText(source) === "expect" &&
        ts.isPropertyAccessExpression(parent.parent) &&
        ["rejects", "resolves"].includes(parent.parent.name.text)
      );
    }
    return (
      ts.isArrayLiteralExpression(parent) &&
      ts.isCallExpression(parent.parent) &&
      COMBINATOR.test(parent.parent.expression.getText(source))
    );
  };

  /** Walks `node` without entering nested functions (their awaits happen later, on their own). */
  const walk = (node: ts.Node, root: ts.Node, visit: (n: ts.Node) => boolean | void): boolean => {
    if (visit(node) === true) return true;
    if (node !== root && ts.isFunctionLike(node)) return false;
    return ts.forEachChild(node, (child): true | undefined => (walk(child, root, visit) ? true : undefined)) === true;
  };

  const checkVariable = (declaration: ts.VariableDeclaration, name: string) => {
    let statement: ts.Node = declaration;
    while (statement.parent && !ts.isBlock(statement.parent) && !ts.isSourceFile(statement.parent))
      statement = statement.parent;
    const block = statement.parent as ts.Block | ts.SourceFile;
    const following = block.statements.slice(block.statements.indexOf(statement as ts.Statement) + 1);
    let awaitedElse: ts.Node | null = null;
    for (const next of following) {
      let use: ts.Identifier | null = null;
      let firstAwait: ts.Node | null = null;
      walk(next, next, (n) => {
        if (
          ts.isIdentifier(n) &&
          n.text === name &&
          !(ts.isPropertyAccessExpression(n.parent) && n.parent.name === n)
        ) {
          use = n;
          return true;
        }
        if (ts.isAwaitExpression(n)) firstAwait ??= n;
      });
      if (use) {
        // Within the statement that first uses it, an earlier await of something else counts too.
        const before =
          firstAwait !== null &&
          (firstAwait as ts.Node).getStart(source) < (use as ts.Identifier).getStart(source) &&
          !(firstAwait as ts.AwaitExpression).expression.getText(source).includes(name);
        const late = awaitedElse ?? (before ? firstAwait : null);
        if (late && usedAsPromise(use)) {
          found.push({
            file,
            line: lineOf(declaration),
            what: `'${name}' is created here, then line ${lineOf(late)} awaits something else before line ${lineOf(use)} handles it`,
          });
        }
        return;
      }
      awaitedElse ??= firstAwait;
    }
  };

  const checkParameter = (fn: ts.FunctionLikeDeclaration, parameter: ts.ParameterDeclaration) => {
    if (!fn.body || !ts.isIdentifier(parameter.name) || !/^Promise</.test(parameter.type?.getText(source) ?? ""))
      return;
    const name = parameter.name.text;
    let firstAwait: ts.AwaitExpression | null = null;
    let use: ts.Identifier | null = null;
    walk(fn.body, fn.body, (n) => {
      if (ts.isIdentifier(n) && n.text === name) {
        use = n;
        return true;
      }
      if (ts.isAwaitExpression(n) && !n.expression.getText(source).includes(name)) firstAwait ??= n;
    });
    if (firstAwait && use) {
      found.push({
        file,
        line: lineOf(parameter),
        what: `parameter '${name}' is a promise its function handles only after awaiting something else (line ${lineOf(firstAwait)})`,
      });
    }
  };

  const visit = (node: ts.Node) => {
    if (
      ts.isVariableDeclaration(node) &&
      ts.isIdentifier(node.name) &&
      node.initializer &&
      !ts.isAwaitExpression(node.initializer) &&
      !handledWhereMade(node.initializer)
    ) {
      const init = node.initializer;
      if (
        ts.isCallExpression(init) ||
        ts.isNewExpression(init) ||
        (ts.isArrayLiteralExpression(init) && init.elements.some(ts.isCallExpression))
      )
        checkVariable(node, node.name.text);
    }
    if (
      ts.isFunctionDeclaration(node) ||
      ts.isFunctionExpression(node) ||
      ts.isArrowFunction(node) ||
      ts.isMethodDeclaration(node)
    ) {
      for (const parameter of node.parameters) checkParameter(node, parameter);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}
