// Just enough of a GraphQL reader to know, from a request body, which operation runs, whether
// it is a mutation, and which root fields it runs (fragments and aliases counted, @skip and
// @include applied), as cartql counts them for `Idempotency-Key`. It needs no GraphQL
// library, so the fetch helper works under Apollo, urql or plain fetch alike. Nested
// selections are skipped, not read.

export type OperationType = "query" | "mutation" | "subscription";

export interface OperationInfo {
  type: OperationType;
  name: string | null;
  /** The root fields the operation runs, by field name (not alias), in order. */
  rootFields: string[];
}

type Token = { kind: "punct" | "name" | "string" | "number"; value: string };

type Directive = { name: string; condition: Token | null };
type Selection =
  | { kind: "field"; name: string; directives: Directive[] }
  | { kind: "spread"; name: string; directives: Directive[] }
  | { kind: "inline"; directives: Directive[]; selections: Selection[] };

type Definition =
  | { kind: "operation"; type: OperationType; name: string | null; selections: Selection[] }
  | { kind: "fragment"; name: string; selections: Selection[] };

const PUNCTUATORS = new Set(["!", "$", "&", "(", ")", ":", "=", "@", "[", "]", "{", "|", "}"]);

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i];
    if (c === " " || c === "\t" || c === "\n" || c === "\r" || c === "," || c === "\ufeff") {
      i++;
    } else if (c === "#") {
      while (i < n && text[i] !== "\n" && text[i] !== "\r") i++;
    } else if (c === "." && text.startsWith("...", i)) {
      tokens.push({ kind: "punct", value: "..." });
      i += 3;
    } else if (PUNCTUATORS.has(c)) {
      tokens.push({ kind: "punct", value: c });
      i++;
    } else if (c === '"') {
      if (text.startsWith('"""', i)) {
        let j = i + 3;
        while (j < n && !text.startsWith('"""', j)) j += text.startsWith('\\"""', j) ? 4 : 1;
        tokens.push({ kind: "string", value: text.slice(i + 3, j) });
        i = j + 3;
      } else {
        let j = i + 1;
        while (j < n && text[j] !== '"' && text[j] !== "\n") j += text[j] === "\\" ? 2 : 1;
        tokens.push({ kind: "string", value: text.slice(i + 1, j) });
        i = j + 1;
      }
    } else if (/[_A-Za-z]/.test(c)) {
      let j = i + 1;
      while (j < n && /[_0-9A-Za-z]/.test(text[j])) j++;
      tokens.push({ kind: "name", value: text.slice(i, j) });
      i = j;
    } else if (/[-0-9]/.test(c)) {
      let j = i + 1;
      while (j < n && /[0-9.eE+-]/.test(text[j])) j++;
      tokens.push({ kind: "number", value: text.slice(i, j) });
      i = j;
    } else {
      throw new SyntaxError(`unexpected character ${JSON.stringify(c)}`);
    }
  }
  return tokens;
}

class Reader {
  private at = 0;
  constructor(private readonly tokens: Token[]) {}

  done(): boolean {
    return this.at >= this.tokens.length;
  }
  peek(value?: string): boolean {
    const token = this.tokens[this.at];
    return token !== undefined && (value === undefined || (token.value === value && token.kind !== "string"));
  }
  next(): Token {
    const token = this.tokens[this.at++];
    if (!token) throw new SyntaxError("unexpected end of document");
    return token;
  }
  expect(value: string): void {
    const token = this.next();
    if (token.value !== value || token.kind === "string") {
      throw new SyntaxError(`expected ${value}, found ${token.value}`);
    }
  }
  name(): string {
    const token = this.next();
    if (token.kind !== "name") throw new SyntaxError(`expected a name, found ${token.value}`);
    return token.value;
  }
  /** Skips a bracketed group, nested groups included; the reader is at its opening token. */
  skipGroup(open: string, close: string): void {
    let depth = 0;
    do {
      const token = this.next();
      if (token.kind === "punct" && token.value === open) depth++;
      else if (token.kind === "punct" && token.value === close) depth--;
    } while (depth > 0);
  }

  document(): Definition[] {
    const definitions: Definition[] = [];
    while (!this.done()) definitions.push(this.definition());
    return definitions;
  }

  private definition(): Definition {
    if (this.peek("{")) return { kind: "operation", type: "query", name: null, selections: this.selectionSet() };
    const keyword = this.name();
    if (keyword === "fragment") {
      const name = this.name();
      if (this.peek("(")) this.skipGroup("(", ")");
      this.expect("on");
      this.name();
      this.directives();
      return { kind: "fragment", name, selections: this.selectionSet() };
    }
    if (keyword !== "query" && keyword !== "mutation" && keyword !== "subscription") {
      throw new SyntaxError(`not an executable definition: ${keyword}`);
    }
    const name = this.peek() && !this.peek("(") && !this.peek("@") && !this.peek("{") ? this.name() : null;
    if (this.peek("(")) this.skipGroup("(", ")");
    this.directives();
    return { kind: "operation", type: keyword, name, selections: this.selectionSet() };
  }

  private directives(): Directive[] {
    const directives: Directive[] = [];
    while (this.peek("@")) {
      this.next();
      const name = this.name();
      let condition: Token | null = null;
      if (this.peek("(")) {
        if (name === "skip" || name === "include") {
          this.expect("(");
          while (!this.peek(")")) {
            const argument = this.name();
            this.expect(":");
            const value = this.value();
            if (argument === "if") condition = value;
          }
          this.expect(")");
        } else {
          this.skipGroup("(", ")");
        }
      }
      directives.push({ name, condition });
    }
    return directives;
  }

  /** A value: a variable comes back as a `$`-prefixed name token; lists and objects are skipped. */
  private value(): Token {
    if (this.peek("$")) {
      this.next();
      return { kind: "name", value: `$${this.name()}` };
    }
    if (this.peek("[")) {
      this.skipGroup("[", "]");
      return { kind: "punct", value: "[]" };
    }
    if (this.peek("{")) {
      this.skipGroup("{", "}");
      return { kind: "punct", value: "{}" };
    }
    return this.next();
  }

  private selectionSet(): Selection[] {
    this.expect("{");
    const selections: Selection[] = [];
    while (!this.peek("}")) {
      if (this.peek("...")) {
        this.next();
        if (this.peek("on") || this.peek("@") || this.peek("{")) {
          if (this.peek("on")) {
            this.next();
            this.name();
          }
          const directives = this.directives();
          selections.push({ kind: "inline", directives, selections: this.selectionSet() });
        } else {
          const name = this.name();
          selections.push({ kind: "spread", name, directives: this.directives() });
        }
        continue;
      }
      let name = this.name();
      if (this.peek(":")) {
        this.next();
        name = this.name();
      }
      if (this.peek("(")) this.skipGroup("(", ")");
      const directives = this.directives();
      if (this.peek("{")) this.skipGroup("{", "}");
      selections.push({ kind: "field", name, directives });
    }
    this.expect("}");
    return selections;
  }
}

function included(directives: Directive[], variables: Record<string, unknown>): boolean {
  for (const directive of directives) {
    if (directive.name !== "skip" && directive.name !== "include") continue;
    const condition = directive.condition;
    let value: unknown = undefined;
    if (condition?.kind === "name" && condition.value.startsWith("$")) {
      value = variables[condition.value.slice(1)];
    } else if (condition?.kind === "name") {
      value = condition.value === "true" ? true : condition.value === "false" ? false : undefined;
    }
    if (directive.name === "skip" && value === true) return false;
    if (directive.name === "include" && value === false) return false;
  }
  return true;
}

/**
 * The operation a request runs: the one named `operationName`, else the document's only
 * operation. Null when the document cannot be read or names no such operation.
 */
export function describeOperation(
  query: string,
  operationName?: string | null,
  variables?: Record<string, unknown> | null
): OperationInfo | null {
  let definitions: Definition[];
  try {
    definitions = new Reader(tokenize(query)).document();
  } catch {
    return null;
  }
  const operations = definitions.filter((d) => d.kind === "operation");
  const operation = operationName
    ? operations.find((o) => o.name === operationName)
    : operations.length === 1
      ? operations[0]
      : undefined;
  if (!operation) return null;
  const fragments = new Map<string, Selection[]>();
  for (const definition of definitions) {
    if (definition.kind === "fragment") fragments.set(definition.name, definition.selections);
  }
  const vars = variables ?? {};
  const rootFields: string[] = [];
  const open = new Set<string>();
  const collect = (selections: Selection[]): void => {
    for (const selection of selections) {
      if (!included(selection.directives, vars)) continue;
      if (selection.kind === "field") {
        rootFields.push(selection.name);
      } else if (selection.kind === "inline") {
        collect(selection.selections);
      } else if (!open.has(selection.name)) {
        const fragment = fragments.get(selection.name);
        if (fragment) {
          open.add(selection.name);
          collect(fragment);
          open.delete(selection.name);
        }
      }
    }
  };
  collect(operation.selections);
  return { type: operation.type, name: operation.name, rootFields };
}
