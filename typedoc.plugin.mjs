// TypeDoc plugin for the Descent API reference: the "every export is documented" check.
//
// It applies TypeDoc's own `notDocumented` rule (every exported class, interface, function, variable,
// type alias, enum, and every property, method and accessor of those, in `requiredToBeDocumented`
// kinds) with one refinement: members of an anonymous inline object type (a kernel's
// `{ inputs, attrs }`, a function's `{ value, grads }` result, the entries of the `gradRules` table)
// are covered by the doc comment of the declaration that owns the type, as are the object members of a
// union alias (`type R = { ok: true } | { error: string }`). Members of a type alias whose whole body
// is one object type (`type X = { ... }`) still need their own comments, as interface members do.
// Each undocumented symbol is a validation warning, so with `treatValidationWarningsAsErrors` the
// build fails and names every one of them.
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { Application, Comment, Converter, DeclarationReflection, ReflectionKind, ReflectionType } from 'typedoc';

const K = ReflectionKind;

/** True when `ref` has a comment of its own, or (for a signature) its declaration has one. */
function commented(ref) {
  return ref.hasComment() || (ref.kindOf(K.SomeSignature) && ref.parent?.hasComment() === true);
}

/** True for the object type that is a type alias's whole body (`type X = { ... }`, not a function type), whose members need comments. */
function isAliasBody(literal) {
  const alias = literal.parent;
  return (
    alias?.kindOf(K.TypeAlias) === true &&
    alias.type instanceof ReflectionType &&
    alias.type.declaration === literal &&
    literal.getNonIndexSignatures().length === 0
  );
}

/** Documented itself, or a member of an inline object type whose owning declaration is documented. */
function covered(ref) {
  if (commented(ref)) return true;
  const parent = ref.parent;
  if (!parent) return false;
  if (parent.kindOf(K.TypeLiteral) && !isAliasBody(parent)) {
    const owner = parent.parent;
    return owner !== undefined && covered(owner);
  }
  return false;
}

/** The nearest package.json above `file` and its directory. */
function manifestOf(file) {
  for (let dir = dirname(file); dir !== dirname(dir); dir = dirname(dir)) {
    try {
      return { dir, manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) };
    } catch {
      // no package.json here: keep walking up
    }
  }
  return null;
}

/** The export subpath ('.', './node', …) whose `@descent/source` file is `file`, or null. */
function subpathOf(manifest, dir, file) {
  const target = './' + relative(dir, file).split('\\').join('/');
  const exportsMap = typeof manifest.exports === 'string' ? { '.': manifest.exports } : (manifest.exports ?? {});
  const matches = (value) =>
    value !== null && typeof value === 'object' && (value['@descent/source'] === target || Object.values(value).some(matches));
  for (const [subpath, value] of Object.entries(exportsMap)) if (value === target || matches(value)) return subpath;
  return null;
}

/** The text of the block comment that opens `file` (before any code), without its `*` margins. */
function leadingComment(file) {
  const text = readFileSync(file, 'utf8');
  const m = /^\s*\/\*\*([\s\S]*?)\*\//.exec(text);
  if (!m) return null;
  return m[1]
    .split('\n')
    .map((line) => line.replace(/^\s*\* ?/, ''))
    .join('\n')
    .trim();
}

/**
 * Names each module by its import specifier (`@descent/models`, `@descent/models/node`) and, when
 * it has no module comment, describes it with the entry file's opening comment or the package's
 * `description`.
 */
function nameModules(project) {
  for (const mod of project.children ?? []) {
    if (!mod.kindOf(K.Module)) continue;
    const file = project.getSymbolIdFromReflection(mod)?.fileName;
    if (!file) continue;
    const found = manifestOf(file);
    if (!found) continue;
    const subpath = subpathOf(found.manifest, found.dir, file);
    if (subpath === null) continue;
    mod.name = subpath === '.' ? found.manifest.name : `${found.manifest.name}/${subpath.replace(/^\.\//, '')}`;
    if (!mod.hasComment()) {
      const text = leadingComment(file) ?? (subpath === '.' ? found.manifest.description : '');
      if (text) mod.comment = new Comment([{ kind: 'text', text }]);
    }
  }
}

/** @param {Application} app */
export function load(app) {
  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => nameModules(context.project));
  app.on(Application.EVENT_VALIDATE_PROJECT, (project) => {
    const required = app.options.getValue('requiredToBeDocumented');
    const packages = app.options.getValue('packagesRequiringDocumentation');
    let kinds = required.reduce((acc, name) => acc | K[name], 0);
    if (kinds & K.FunctionOrMethod) kinds = (kinds | K.CallSignature) & ~K.FunctionOrMethod;
    if (kinds & K.Constructor) kinds = (kinds | K.ConstructorSignature) & ~K.Constructor;
    if (kinds & K.Accessor) kinds = (kinds | K.GetSignature | K.SetSignature) & ~K.Accessor;

    const queue = project.getReflectionsByKind(kinds);
    const seen = new Set();
    let missing = 0;
    next: while (queue.length > 0) {
      const ref = queue.shift();
      if (seen.has(ref)) continue;
      seen.add(ref);
      // Parameters' own object types are described by the function's comment (as TypeDoc does).
      for (let r = ref.parent; r; r = r.parent) if (r.kindOf(K.Parameter)) continue next;
      if (ref.kindOf(K.TypeLiteral) && ref.parent?.kindOf(K.TypeAlias)) {
        queue.push(ref.parent);
        continue;
      }
      if (ref.kindOf(K.CallSignature) && ref.parent?.kindOf(K.TypeLiteral)) {
        queue.push(ref.parent.parent);
        continue;
      }
      if (ref instanceof DeclarationReflection) {
        const signatures = ref.type instanceof ReflectionType ? ref.type.declaration.getNonIndexSignatures() : ref.getNonIndexSignatures();
        if (signatures.length > 0) {
          queue.push(...signatures);
          if (ref.kindOf(K.SignatureContainer)) continue;
        }
      }
      const symbolId = project.getSymbolIdFromReflection(ref);
      if (!symbolId || !packages.includes(symbolId.packageName) || covered(ref)) continue;
      missing++;
      app.logger.validationWarning(
        `${ref.getFriendlyFullName()} (${K[ref.kind]}), defined in ${symbolId.packageName}/${symbolId.packagePath}, does not have any documentation`,
      );
    }
    if (missing > 0) app.logger.info(`docs: ${missing} exported declarations lack a doc comment`);
  });
}
