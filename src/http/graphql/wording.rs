//! async-graphql's messages for requests that fail before execution, reworded for the people
//! reading them: a syntax error as one line with its line, column and what was expected
//! (instead of the parser's multi-line diagnostic), an invalid argument named by the variable
//! that carried it and the value it got, and a grammatical `@oneOf` complaint.
//!
//! The library's messages are matched by their shape; one that matches no shape is kept as
//! it is, so a library upgrade that changes a wording loses the rewording, never the error.
//! `locations` and `path` are never touched.

use std::fmt::Write as _;

use async_graphql::{
    Name, Pos, Positioned, ServerError, Value as ConstValue, Variables,
    parser::{
        parse_query,
        types::{Directive, ExecutableDocument, Selection, SelectionSet},
    },
};
use async_graphql_value::Value;

/// What the client sent, for naming variables and quoting values in messages.
pub struct Sent<'a> {
    pub query: &'a str,
    pub variables: &'a Variables,
}

/// Values longer than this are cut in messages.
const MAX_QUOTED: usize = 60;

/// Rewrites `error`'s message when it has a known library shape.
pub fn reword(error: &mut ServerError, sent: Option<&Sent<'_>>) {
    let at = error.locations.first().copied();
    if let Some(message) = reworded(&error.message, at, sent) {
        error.message = message;
    }
}

fn reworded(message: &str, at: Option<Pos>, sent: Option<&Sent<'_>>) -> Option<String> {
    if let Some(text) = syntax(message, at) {
        return Some(text);
    }
    if let Some(rest) = message.strip_prefix("Invalid value for argument \"") {
        let (path, reason) = rest.split_once("\", ")?;
        return Some(argument(path, reason, at, sent));
    }
    if let Some(name) = message
        .strip_prefix("Variable ")
        .and_then(|m| m.strip_suffix(" is not defined."))
    {
        return Some(format!(
            "Variable \"${name}\" has no value: send it in `variables` or give it a default"
        ));
    }
    None
}

/// The parser's diagnostic (` --> 1:9`, the source line, a caret, `= expected …`) as one line.
fn syntax(message: &str, at: Option<Pos>) -> Option<String> {
    if !message
        .lines()
        .any(|line| line.trim_start().starts_with("--> "))
    {
        return None;
    }
    let detail = message
        .lines()
        .rev()
        .find_map(|line| line.trim_start().strip_prefix("= "))
        .map(plain_rules)
        .unwrap_or_else(|| "the document is not valid GraphQL".to_owned());
    Some(match at {
        Some(Pos { line, column }) => {
            format!("Syntax error at line {line}, column {column}: {detail}")
        }
        None => format!("Syntax error: {detail}"),
    })
}

/// The grammar's rule names in pest's `expected a, b, or c` as words.
fn plain_rules(detail: &str) -> String {
    let mut out = String::with_capacity(detail.len() + 16);
    let mut word = String::new();
    for c in detail.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_alphanumeric() || c == '_' {
            word.push(c);
            continue;
        }
        if !word.is_empty() {
            out.push_str(rule_phrase(&word));
            word.clear();
        }
        out.push(c);
    }
    out.pop();
    out
}

fn rule_phrase(rule: &str) -> &str {
    match rule {
        "expected" | "unexpected" | "or" => rule,
        "EOI" => "the end of the document",
        "executable_definition" => "an operation or a fragment",
        "selection_set" => "a selection set `{ … }`",
        "selection" => "a field or a fragment",
        "name" => "a name",
        "type_" => "a type",
        "value" | "const_value" => "a value",
        "variable" => "a variable `$name`",
        "variable_definition" => "a variable definition `$name: Type`",
        "variable_definitions" => "variable definitions `($name: Type)`",
        "arguments" | "const_arguments" => "arguments `(name: value)`",
        "argument" | "const_argument" => "an argument `name: value`",
        "object_field" | "const_object_field" => "an object field `name: value`",
        "directive" | "const_directive" => "a directive",
        "directives" | "const_directives" => "directives",
        "operation_type" => "query, mutation or subscription",
        "string" => "a string",
        "number" | "int" | "float" => "a number",
        "alias" => "an alias",
        "type_condition" => "a type condition `on Type`",
        other => other,
    }
}

/// An argument async-graphql found invalid (`path` is `arg.field.0.field`), named by the
/// variable that carried the bad value when one did.
fn argument(path: &str, reason: &str, at: Option<Pos>, sent: Option<&Sent<'_>>) -> String {
    let segments: Vec<&str> = path.split('.').collect();
    let found = sent
        .zip(at)
        .and_then(|(sent, at)| find(sent, at, &segments));
    let (subject, rest, value) = match &found {
        Some(Found::Variable { name, rest, value }) => {
            (format!("Variable \"${name}\""), *rest, value.as_ref())
        }
        Some(Found::Literal(value)) => (
            format!("Argument \"{}\"", segments[0]),
            &segments[1..],
            Some(value),
        ),
        None => (
            format!("Argument \"{}\"", segments[0]),
            &segments[1..],
            None,
        ),
    };
    let at_path = match rest {
        [] => String::new(),
        rest => format!(" at {}", dotted(rest)),
    };
    let got = value.map(quoted);
    let got_at = |problem: String| match &got {
        Some(got) => format!("{subject} got {got}{at_path}: {problem}"),
        None => format!("{subject}{at_path}: {problem}"),
    };
    if let Some(ty) = quoted_between(reason, "expected type \"", "\"") {
        return got_at(format!("expected {ty}"));
    }
    if reason == "Oneof input objects requires have exactly one field" {
        let given = match value {
            Some(ConstValue::Object(fields)) if fields.is_empty() => ", got none".to_owned(),
            Some(ConstValue::Object(fields)) => format!(
                ", got {} ({})",
                fields.len(),
                fields
                    .keys()
                    .map(Name::as_str)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            _ => String::new(),
        };
        return format!(
            "{subject}{at_path}: a @oneOf input takes exactly one of its fields{given}"
        );
    }
    if reason.starts_with("Oneof Input Objects require that exactly one field") {
        return format!(
            "{subject}{at_path}: a @oneOf input takes exactly one of its fields, and not null"
        );
    }
    if let Some((field, ty)) = reason
        .strip_prefix("field \"")
        .and_then(|r| r.strip_suffix("\" is required but not provided"))
        .and_then(|r| r.split_once("\" of type \""))
    {
        return format!("{subject}{at_path}: the required field \"{field}\" ({ty}) is missing");
    }
    if let Some((field, ty)) = reason
        .strip_prefix("unknown field \"")
        .and_then(|r| r.strip_suffix('"'))
        .and_then(|r| r.split_once("\" of type \""))
    {
        return format!("{subject}{at_path}: {ty} has no field \"{field}\"");
    }
    if let Some((ty, _)) = reason
        .strip_prefix("enumeration type \"")
        .and_then(|r| r.split_once("\" does not contain the value \""))
    {
        return got_at(format!("expected a value of {ty}"));
    }
    format!("{subject}{at_path}: {reason}")
}

/// The text of `s` between `start` and the next `end`, when `s` begins with `start`.
fn quoted_between<'s>(s: &'s str, start: &str, end: &str) -> Option<&'s str> {
    s.strip_prefix(start)?.split(end).next()
}

/// `items.0.quantity` as `items[0].quantity`.
fn dotted(segments: &[&str]) -> String {
    let mut out = String::new();
    for segment in segments {
        if segment.bytes().all(|b| b.is_ascii_digit()) {
            let _ = write!(out, "[{segment}]");
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(segment);
        }
    }
    out
}

/// A value as JSON, cut when long.
fn quoted(value: &ConstValue) -> String {
    let text = serde_json::to_string(value).unwrap_or_else(|_| value.to_string());
    match text.char_indices().nth(MAX_QUOTED) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

/// Where an invalid argument's value came from.
enum Found<'p> {
    /// A variable, with the path inside its value and the value there.
    Variable {
        name: String,
        rest: &'p [&'p str],
        value: Option<ConstValue>,
    },
    /// Written in the document.
    Literal(ConstValue),
}

/// Follows `path` (argument name first) into the argument written at `at`.
fn find<'p>(sent: &Sent<'_>, at: Pos, path: &'p [&'p str]) -> Option<Found<'p>> {
    let document = parse_query(sent.query).ok()?;
    let mut value = argument_at(&document, at)?;
    for (depth, segment) in path.iter().enumerate().skip(1) {
        if let Value::Variable(name) = value {
            return Some(variable(sent, name, &path[depth..]));
        }
        value = match (value, segment.parse::<usize>()) {
            (Value::List(items), Ok(index)) => items.get(index)?,
            (Value::Object(fields), _) => fields.get(*segment)?,
            _ => return None,
        };
    }
    match value {
        Value::Variable(name) => Some(variable(sent, name, &[])),
        literal => literal.clone().into_const().map(Found::Literal),
    }
}

fn variable<'p>(sent: &Sent<'_>, name: &Name, rest: &'p [&'p str]) -> Found<'p> {
    let mut value = sent.variables.get(name);
    for segment in rest {
        value = match (value, segment.parse::<usize>()) {
            (Some(ConstValue::List(items)), Ok(index)) => items.get(index),
            (Some(ConstValue::Object(fields)), _) => fields.get(*segment),
            _ => None,
        };
    }
    Found::Variable {
        name: name.to_string(),
        rest,
        value: value.cloned(),
    }
}

/// The value of the argument whose name is written at `at`, anywhere in the document.
fn argument_at(document: &ExecutableDocument, at: Pos) -> Option<&Value> {
    let operations = document
        .operations
        .iter()
        .map(|(_, op)| (&op.node.directives, &op.node.selection_set.node));
    let fragments = document
        .fragments
        .values()
        .map(|f| (&f.node.directives, &f.node.selection_set.node));
    operations.chain(fragments).find_map(|(directives, set)| {
        in_directives(directives, at).or_else(|| in_selections(set, at))
    })
}

fn in_selections(set: &SelectionSet, at: Pos) -> Option<&Value> {
    set.items.iter().find_map(|item| match &item.node {
        Selection::Field(field) => field
            .node
            .arguments
            .iter()
            .find(|(name, _)| name.pos == at)
            .map(|(_, value)| &value.node)
            .or_else(|| in_directives(&field.node.directives, at))
            .or_else(|| in_selections(&field.node.selection_set.node, at)),
        Selection::FragmentSpread(spread) => in_directives(&spread.node.directives, at),
        Selection::InlineFragment(inline) => in_directives(&inline.node.directives, at)
            .or_else(|| in_selections(&inline.node.selection_set.node, at)),
    })
}

fn in_directives(directives: &[Positioned<Directive>], at: Pos) -> Option<&Value> {
    directives.iter().find_map(|directive| {
        directive
            .node
            .arguments
            .iter()
            .find(|(name, _)| name.pos == at)
            .map(|(_, value)| &value.node)
    })
}

#[cfg(test)]
mod tests {
    //! Each rewording is checked on the message async-graphql really produces, from a small
    //! schema with the same kinds of inputs as cartql's.

    use async_graphql::{
        EmptyMutation, EmptySubscription, Enum, InputObject, Object, OneofObject, Request, Schema,
    };
    use serde_json::json;

    use super::*;

    #[derive(OneofObject)]
    enum Product {
        Id(String),
        Sku(String),
    }

    #[derive(InputObject)]
    struct Line {
        product: Product,
        quantity: i32,
    }

    #[derive(Enum, Clone, Copy, PartialEq, Eq)]
    enum Strategy {
        Sum,
        Max,
    }

    struct Query;

    #[Object]
    impl Query {
        async fn add(&self, quantity: i32, product: Option<Product>) -> i32 {
            let _ = product;
            quantity
        }
        async fn lines(&self, lines: Vec<Line>) -> usize {
            lines.len()
        }
        async fn merge(&self, strategy: Strategy) -> bool {
            strategy == Strategy::Sum
        }
    }

    /// The first error of `query` with `variables`, reworded.
    async fn reworded(query: &str, variables: serde_json::Value) -> String {
        let schema = Schema::new(Query, EmptyMutation, EmptySubscription);
        let variables = Variables::from_json(variables);
        let request = Request::new(query).variables(variables.clone());
        let mut error = schema.execute(request).await.errors.remove(0);
        let original = error.message.clone();
        let sent = Sent {
            query,
            variables: &variables,
        };
        reword(&mut error, Some(&sent));
        assert_ne!(error.message, original, "not reworded: {original}");
        error.message
    }

    #[test]
    fn a_syntax_error_is_one_line_with_its_position_and_what_was_expected() {
        let mut error = ServerError::from(parse_query("{ cart { ").expect_err("broken"));
        let locations = error.locations.clone();
        assert!(error.message.contains('\n'), "{}", error.message);
        reword(&mut error, None);
        assert_eq!(
            error.message,
            "Syntax error at line 1, column 10: expected a field or a fragment"
        );
        assert_eq!(error.locations, locations);

        let mut error = ServerError::from(parse_query("query Q($a: ) { a }").expect_err("broken"));
        reword(&mut error, None);
        assert_eq!(
            error.message,
            "Syntax error at line 1, column 13: expected a type"
        );
    }

    #[tokio::test]
    async fn a_wrongly_typed_variable_is_named_with_the_value_it_got() {
        assert_eq!(
            reworded(
                "query ($qty: Int!) { add(quantity: $qty) }",
                json!({ "qty": "abc" })
            )
            .await,
            r#"Variable "$qty" got "abc": expected Int"#
        );
        assert_eq!(
            reworded(
                "query ($lines: [Line!]!) { lines(lines: $lines) }",
                json!({ "lines": [{ "product": { "id": "1" }, "quantity": 1.5 }] })
            )
            .await,
            r#"Variable "$lines" got 1.5 at [0].quantity: expected Int"#
        );
    }

    #[tokio::test]
    async fn a_literal_argument_is_named_by_the_argument() {
        assert_eq!(
            reworded(r#"{ add(quantity: "2") }"#, json!({})).await,
            r#"Argument "quantity" got "2": expected Int"#
        );
        assert_eq!(
            reworded(
                r#"{ lines(lines: [{ product: { id: "1" }, quantity: "2" }]) }"#,
                json!({})
            )
            .await,
            r#"Argument "lines" got "2" at [0].quantity: expected Int"#
        );
    }

    #[tokio::test]
    async fn a_oneof_input_with_no_field_or_two_says_so_in_words() {
        let query = "query ($p: Product) { add(quantity: 1, product: $p) }";
        assert_eq!(
            reworded(query, json!({ "p": {} })).await,
            r#"Variable "$p": a @oneOf input takes exactly one of its fields, got none"#
        );
        assert_eq!(
            reworded(query, json!({ "p": { "id": "1", "sku": "A" } })).await,
            r#"Variable "$p": a @oneOf input takes exactly one of its fields, got 2 (id, sku)"#
        );
        assert_eq!(
            reworded(query, json!({ "p": { "id": null } })).await,
            r#"Variable "$p": a @oneOf input takes exactly one of its fields, and not null"#
        );
        assert_eq!(
            reworded(
                r#"{ add(quantity: 1, product: { id: "1", sku: "A" }) }"#,
                json!({})
            )
            .await,
            r#"Argument "product": a @oneOf input takes exactly one of its fields, got 2 (id, sku)"#
        );
    }

    #[tokio::test]
    async fn missing_unknown_and_enum_fields_read_as_sentences() {
        let query = "query ($lines: [Line!]!) { lines(lines: $lines) }";
        assert_eq!(
            reworded(query, json!({ "lines": [{ "product": { "id": "1" } }] })).await,
            r#"Variable "$lines" at [0]: the required field "quantity" (Int!) is missing"#
        );
        assert_eq!(
            reworded(
                query,
                json!({ "lines": [{ "product": { "id": "1" }, "quantity": 1, "note": "x" }] })
            )
            .await,
            r#"Variable "$lines" at [0]: Line has no field "note""#
        );
        assert_eq!(
            reworded(
                "query ($s: Strategy!) { merge(strategy: $s) }",
                json!({ "s": "MIN" })
            )
            .await,
            r#"Variable "$s" got "MIN": expected a value of Strategy"#
        );
    }

    #[tokio::test]
    async fn a_required_variable_sent_without_a_value_is_named() {
        assert_eq!(
            reworded("query ($qty: Int!) { add(quantity: $qty) }", json!({})).await,
            "Variable \"$qty\" has no value: send it in `variables` or give it a default"
        );
    }

    #[test]
    fn an_unknown_shape_is_kept_as_it_is() {
        let mut error = ServerError::new(r#"Unknown field "nope" on type "Query"."#, None);
        reword(&mut error, None);
        assert_eq!(error.message, r#"Unknown field "nope" on type "Query"."#);
    }

    #[test]
    fn long_values_are_cut() {
        let long = ConstValue::String("x".repeat(500));
        let text = quoted(&long);
        assert_eq!(text.chars().count(), MAX_QUOTED + 1);
        assert!(text.ends_with('…'));
    }
}
