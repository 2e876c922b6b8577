import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { buildRoutes } from '../../api/src/app.ts';
import { repoRoot } from '../../api/src/config.ts';
import { buildOpenApiDocument } from '../../api/src/http/openapi.ts';

// A route whose handler reaches a rate limiter (`deps.limits`), itself or through any function it
// refers to, can answer 429: its operation in the OpenAPI document must say so, and no other does.
// Read from the source with the TypeScript compiler, so a new limited route is found without a list.

const apiSource = join(repoRoot, 'api/src');
const depsFile = join(apiSource, 'deps.ts');

type FunctionBody = ts.FunctionLikeDeclaration;

function routesAsWritten() {
  const program = ts.createProgram([join(apiSource, 'app.ts')], { allowImportingTsExtensions: true, noEmit: true, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2023, skipLibCheck: true });
  const checker = program.getTypeChecker();
  const inApi = (node: ts.Node) => node.getSourceFile().fileName.startsWith(apiSource);

  const isDepsLimits = (symbol: ts.Symbol | undefined) => Boolean(symbol?.declarations?.some((d) => d.getSourceFile().fileName === depsFile));
  // `deps.limits`, or `const { limits } = deps`.
  const isLimiters = (node: ts.Node) =>
    (ts.isPropertyAccessExpression(node) && node.name.text === 'limits' && isDepsLimits(checker.getSymbolAtLocation(node.name))) ||
    (ts.isBindingElement(node) && (node.propertyName ?? node.name).getText() === 'limits' && isDepsLimits(checker.getTypeAtLocation(node.parent).getProperty('limits')));

  /** The function an identifier names (an imported or local function, or a member of `import * as repo`), if it is ours. */
  function functionNamedBy(identifier: ts.Identifier): FunctionBody | undefined {
    const parent = identifier.parent;
    if (ts.isPropertyAccessExpression(parent) && parent.name === identifier) {
      const owner = ts.isIdentifier(parent.expression) ? checker.getSymbolAtLocation(parent.expression) : undefined;
      if (!owner?.declarations?.some(ts.isNamespaceImport)) return undefined;
    }
    let symbol = checker.getSymbolAtLocation(identifier);
    if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
    for (const declaration of symbol?.declarations ?? []) {
      if (!inApi(declaration)) continue;
      if ((ts.isFunctionDeclaration(declaration) || ts.isMethodDeclaration(declaration)) && declaration.body) return declaration;
      const initializer = ts.isVariableDeclaration(declaration) ? declaration.initializer : undefined;
      if (initializer && (ts.isArrowFunction(initializer) || ts.isFunctionExpression(initializer))) return initializer;
    }
    return undefined;
  }

  const reaches = new Map<FunctionBody, boolean>();
  function reachesALimiter(fn: FunctionBody): boolean {
    if (reaches.has(fn)) return reaches.get(fn)!;
    reaches.set(fn, false); // while it is being read (recursion)
    let found = false;
    const visit = (node: ts.Node): void => {
      if (found) return;
      if (isLimiters(node)) found = true;
      else if (ts.isIdentifier(node)) {
        const target = functionNamedBy(node);
        found = Boolean(target && target !== fn && reachesALimiter(target));
      } else ts.forEachChild(node, visit);
    };
    if (fn.body) visit(fn.body);
    reaches.set(fn, found);
    return found;
  }

  // Each route as written: its method and path, or a pattern for those built in a loop (`card/${action}`).
  const routes: { name: RegExp; literal: boolean; limited: boolean }[] = [];
  const patternOf = (node: ts.Expression | undefined) => {
    if (node && ts.isStringLiteralLike(node)) return { source: escape(node.text), literal: true };
    if (node && ts.isTemplateExpression(node)) {
      return { source: [node.head.text, ...node.templateSpans.map((span) => span.literal.text)].map(escape).join('[^ ]+'), literal: false };
    }
    return { source: '[^ ]+', literal: false };
  };
  for (const file of program.getSourceFiles()) {
    if (!file.fileName.startsWith(apiSource) || !file.fileName.endsWith('.routes.ts')) continue;
    const visit = (node: ts.Node): void => {
      const spec = ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && node.expression.name.text === 'add' ? node.arguments[0] : undefined;
      if (spec && ts.isObjectLiteralExpression(spec)) {
        const property = (name: string) => spec.properties.find((p): p is ts.PropertyAssignment => ts.isPropertyAssignment(p) && p.name.getText() === name)?.initializer;
        const handler = property('handler');
        if (!handler) throw new Error(`${file.fileName}: a route without a handler written in place: ${spec.getText().slice(0, 200)}`);
        const [method, path] = [patternOf(property('method')), patternOf(property('path'))];
        const limited = ts.isIdentifier(handler) ? reachesALimiter(functionNamedBy(handler)!) : reachesALimiter(handler as FunctionBody);
        routes.push({ name: new RegExp(`^${method.source.toUpperCase()} ${path.source}$`), literal: method.literal && path.literal, limited });
      }
      // A route with its own Koa handler, documented apart (`router.get('/api/metrics', handler)`).
      const own = ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && ts.isIdentifier(node.expression.expression)
        && node.expression.expression.text === 'router' && ['get', 'post', 'put', 'patch', 'delete'].includes(node.expression.name.text) ? node : undefined;
      if (own && own.arguments.length >= 2) {
        const handler = own.arguments[own.arguments.length - 1];
        const path = patternOf(own.arguments[0]);
        const limited = ts.isIdentifier(handler) ? reachesALimiter(functionNamedBy(handler)!) : reachesALimiter(handler as FunctionBody);
        routes.push({ name: new RegExp(`^${(own.expression as ts.PropertyAccessExpression).name.text.toUpperCase()} ${path.source}$`), literal: path.literal, limited });
      }
      ts.forEachChild(node, visit);
    };
    visit(file);
  }
  return routes;
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('rate-limited routes', () => {
  it('document 429, and only they do', () => {
    const written = routesAsWritten();
    const document = buildOpenApiDocument(buildRoutes()) as unknown as { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
    const operations = Object.entries(document.paths).flatMap(([path, byMethod]) =>
      Object.entries(byMethod).map(([method, operation]) => ({ name: `${method.toUpperCase()} ${path}`, documents429: Boolean(operation.responses['429']) })));
    // An operation is its route written with a literal path, else the loop whose pattern matches it.
    const writtenAs = (name: string) => written.find((r) => r.literal && r.name.test(name)) ?? written.find((r) => r.name.test(name));
    const unmatched = operations.filter((o) => !writtenAs(o.name)).map((o) => o.name);
    expect(unmatched, 'operations whose route this test did not find in api/src/**/*.routes.ts').toEqual([]);
    const limited = operations.filter((o) => writtenAs(o.name)!.limited).map((o) => o.name).sort();
    // The reading finds limiters behind a service (the member app's sign-in code) and in a handler.
    expect(limited).toEqual(expect.arrayContaining(['POST /api/v1/member-auth/otp', 'POST /api/v1/auth/login']));
    expect(limited).not.toContain('GET /api/v1/members');
    expect(operations.filter((o) => o.documents429).map((o) => o.name).sort()).toEqual(limited);
  }, 120_000);
});
