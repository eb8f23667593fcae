// Reads cartql's schema.graphql and either writes src/schema.generated.ts (--write) or checks
// (--check) that the committed file is current and that the hand-written policy
// (src/policy.ts, read from its build in dist/) decides about every object type and every
// mutation that carries a cart. A type or mutation added to the schema fails the check until
// the policy says how caches treat it. Interfaces and unions (Relay's Node) need no decision:
// their members are object types, decided one by one, and every type with an id (so every
// Node) must be keyed by it.
//
//   node scripts/schema.mjs --write [schema.graphql]
//   node scripts/schema.mjs --check [schema.graphql]   (after `npm run build`)
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import {
  buildSchema,
  getNamedType,
  getNullableType,
  isInterfaceType,
  isListType,
  isObjectType,
  isUnionType,
  introspectionFromSchema,
} from "graphql";

const here = dirname(fileURLToPath(import.meta.url));
const packageDir = resolve(here, "..");
const [mode, schemaArg] = process.argv.slice(2);
if (mode !== "--write" && mode !== "--check") {
  console.error("usage: node scripts/schema.mjs --write|--check [schema.graphql]");
  process.exit(2);
}
const schemaPath = resolve(schemaArg ?? resolve(packageDir, "../../schema.graphql"));
const schema = buildSchema(readFileSync(schemaPath, "utf8"));
const generatedPath = resolve(packageDir, "src/schema.generated.ts");

const roots = {
  query: schema.getQueryType()?.name ?? null,
  mutation: schema.getMutationType()?.name ?? null,
  subscription: schema.getSubscriptionType()?.name ?? null,
};
const rootNames = new Set(Object.values(roots).filter(Boolean));
const types = Object.values(schema.getTypeMap())
  .filter((type) => !type.name.startsWith("__"))
  .sort((a, b) => a.name.localeCompare(b.name));
const objectTypes = types.filter((t) => isObjectType(t) && !rootNames.has(t.name)).map((t) => t.name);
const isComposite = (type) => isObjectType(type) || isInterfaceType(type) || isUnionType(type);

// Fields (of every object type, roots included) that hold a list of objects: caches replace
// such lists whole.
const objectListFields = {};
for (const type of types.filter(isObjectType)) {
  const fields = Object.values(type.getFields())
    .filter((field) => isListType(getNullableType(field.type)) && isComposite(getNamedType(field.type)))
    .map((field) => field.name)
    .sort();
  if (fields.length) objectListFields[type.name] = fields;
}

// Where each mutation's payload carries a Cart: `cart` itself, or one level down (the
// checkout's cart).
const cartType = schema.getType("Cart");
const carriesCart = (type) => isObjectType(type) && getNamedType(type.getFields().cart?.type) === cartType;
const cartPayloadPaths = {};
const mutationType = schema.getMutationType();
for (const field of Object.values(mutationType?.getFields() ?? {}).sort((a, b) => a.name.localeCompare(b.name))) {
  const payload = getNamedType(field.type);
  if (payload === cartType) {
    cartPayloadPaths[field.name] = [];
  } else if (carriesCart(payload)) {
    cartPayloadPaths[field.name] = ["cart"];
  } else if (isObjectType(payload)) {
    const holder = Object.values(payload.getFields()).find((f) => carriesCart(getNamedType(f.type)));
    if (holder) cartPayloadPaths[field.name] = [holder.name, "cart"];
  }
}
const cartSubscriptions = Object.values(schema.getSubscriptionType()?.getFields() ?? {})
  .filter((field) => getNamedType(field.type) === cartType)
  .map((field) => field.name)
  .sort();

const possibleTypes = {};
for (const type of types.filter((t) => isInterfaceType(t) || isUnionType(t))) {
  possibleTypes[type.name] = schema.getPossibleTypes(type).map((t) => t.name).sort();
}

// Graphcache's `schema` option: the output types with their fields' types and arguments, and
// nothing else (no descriptions, inputs, enums or directives). Given it, Graphcache matches
// fragments on interfaces exactly, also when writing: with `possibleTypes` alone it writes
// every inline fragment of a polymorphic answer (`nodes`) into every object and warns about
// the fields each lacks.
const typeRef = ({ kind, name, ofType }) => (ofType ? { kind, ofType: typeRef(ofType) } : { kind, name });
const named = ({ kind, name }) => ({ kind, name });
const introspected = introspectionFromSchema(schema, { descriptions: false }).__schema;
const introspection = {
  queryType: introspected.queryType && { name: introspected.queryType.name },
  mutationType: introspected.mutationType && { name: introspected.mutationType.name },
  subscriptionType: introspected.subscriptionType && { name: introspected.subscriptionType.name },
  types: introspected.types
    .filter((type) => !type.name.startsWith("__") && ["OBJECT", "INTERFACE", "UNION"].includes(type.kind))
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((type) =>
      type.kind === "UNION"
        ? { kind: type.kind, name: type.name, possibleTypes: type.possibleTypes.map(named) }
        : {
            kind: type.kind,
            name: type.name,
            interfaces: type.interfaces.map(named),
            fields: type.fields.map((field) => ({
              name: field.name,
              type: typeRef(field.type),
              args: field.args.map((arg) => ({ name: arg.name, type: typeRef(arg.type) })),
            })),
          }
    ),
};

// Arrays on one line, records one entry a line: short, readable diffs.
const json = (value) => {
  if (Array.isArray(value) || value === null || typeof value !== "object") return JSON.stringify(value);
  const entries = Object.entries(value).map(([key, item]) => `  ${JSON.stringify(key)}: ${JSON.stringify(item)},`);
  return entries.length ? `{\n${entries.join("\n")}\n}` : "{}";
};
const lines = (names) => `[\n${names.map((name) => `  ${JSON.stringify(name)},`).join("\n")}\n]`;
const generated = `// Generated from cartql's schema.graphql by scripts/schema.mjs; do not edit.
// \`npm run generate\` refreshes it, and \`npm run check\` fails while it is stale.

/** The root operation types. */
export const rootTypes = ${json(roots)} as const;

/** Every object type of the schema but the roots. */
export const objectTypes = ${lines(objectTypes)} as const;

/** The object types, by name. */
export type ObjectTypeName = (typeof objectTypes)[number];

/** For each object type (roots included), its fields that hold a list of objects. */
export const objectListFields: Readonly<Record<string, readonly string[]>> = ${json(objectListFields)};

/**
 * Mutation fields whose payload carries a cart, with the path from the payload to it
 * (\`[]\`: the field returns the cart itself).
 */
export const cartPayloadPaths: Readonly<Record<string, readonly string[]>> = ${json(cartPayloadPaths)};

/** Subscription fields that deliver the caller's cart. */
export const cartSubscriptions: readonly string[] = ${json(cartSubscriptions)};

/** For each interface and union, the object types that belong to it. */
export const possibleTypes: Readonly<Record<string, readonly string[]>> = ${json(possibleTypes)};

/**
 * The output types (objects, interfaces, unions) with their fields' types and arguments, as a
 * minified introspection result: what urql Graphcache's \`schema\` option takes. One type a line.
 */
export const minifiedIntrospection: { readonly __schema: unknown } = {
  __schema: {
    queryType: ${JSON.stringify(introspection.queryType)},
    mutationType: ${JSON.stringify(introspection.mutationType)},
    subscriptionType: ${JSON.stringify(introspection.subscriptionType)},
    types: [
${introspection.types.map((type) => `      ${JSON.stringify(type)},`).join("\n")}
    ],
  },
};
`;

if (mode === "--write") {
  writeFileSync(generatedPath, generated);
  console.log(`wrote ${generatedPath}`);
  process.exit(0);
}

// --check
const problems = [];
let committed = "";
try {
  committed = readFileSync(generatedPath, "utf8");
} catch {
  committed = "";
}
if (committed !== generated) {
  problems.push("src/schema.generated.ts does not match schema.graphql: run `npm run generate` and rebuild");
}

const policy = await import(pathToFileURL(resolve(packageDir, "dist/policy.js")).href);
const keyed = policy.keyFields;
const keyless = new Set(policy.keylessTypes);
for (const name of objectTypes) {
  const inKeyed = Object.hasOwn(keyed, name);
  const inKeyless = keyless.has(name);
  if (!inKeyed && !inKeyless) {
    problems.push(`${name}: neither keyed nor keyless; add it to keyFields or keylessTypes in src/policy.ts`);
  }
  if (inKeyed && inKeyless) problems.push(`${name}: both keyed and keyless in src/policy.ts`);
  const type = schema.getType(name);
  const idField = type.getFields().id;
  if (idField && inKeyless) problems.push(`${name} has an id: it must be keyed, not keyless`);
  if (inKeyed) {
    const field = type.getFields()[keyed[name]];
    if (!field) {
      problems.push(`${name}: its key field \`${keyed[name]}\` is not in the schema`);
    } else if (isListType(getNullableType(field.type)) || isComposite(getNamedType(field.type))) {
      problems.push(`${name}: its key field \`${keyed[name]}\` must be a single scalar`);
    } else if (idField && keyed[name] !== "id") {
      problems.push(`${name} has an id: key it by \`id\`, not \`${keyed[name]}\``);
    }
  }
}
const known = new Set(objectTypes);
for (const name of [...Object.keys(keyed), ...keyless]) {
  if (!known.has(name)) problems.push(`src/policy.ts names ${name}, which is not an object type of the schema`);
}
const decided = policy.cartMutations;
for (const name of Object.keys(cartPayloadPaths)) {
  if (!Object.hasOwn(decided, name)) {
    problems.push(`Mutation.${name} carries a cart: say in cartMutations (src/policy.ts) what it does to the caller's cart`);
  }
}
for (const name of Object.keys(decided)) {
  if (!Object.hasOwn(cartPayloadPaths, name)) {
    problems.push(`cartMutations names Mutation.${name}, whose payload carries no cart`);
  }
}

const cartStatus = schema.getType("CartStatus");
if (!cartStatus?.getValue?.(policy.closedCartStatus)) {
  problems.push(`closedCartStatus (${policy.closedCartStatus}) is not a value of CartStatus`);
}

if (problems.length) {
  for (const problem of problems) console.error(`schema coverage: ${problem}`);
  process.exit(1);
}
console.log(
  `schema coverage: ${objectTypes.length} object types (${Object.keys(keyed).length} keyed, ${keyless.size} keyless) ` +
    `and ${Object.keys(cartPayloadPaths).length} cart mutations are covered; ` +
    `possibleTypes for ${Object.keys(possibleTypes).join(", ") || "no interface or union"}; src/schema.generated.ts is current`
);
