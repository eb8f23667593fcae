//! Bounds on a document's text, checked before the parser sees it.
//!
//! async-graphql's parser walks nested values and selection sets by recursion, so a few
//! kilobytes of `[[[[…]]]]` overflow the worker thread's stack, and a stack overflow aborts the
//! whole process (it is not a panic: no layer can catch it). The only safe place to refuse such
//! a document is before parsing. [`check`] scans the text once, byte by byte, skipping strings,
//! block strings and comments, and refuses a document whose brackets (`{`, `[`, `(`) nest
//! deeper than [`MAX_NESTING`] or whose text is longer than [`MAX_DOCUMENT_BYTES`]. Every
//! transport (POST, GET, persisted queries, WebSocket) calls it before parsing.

/// Deepest bracket nesting accepted. The selection depth limit (10, 16 for introspection)
/// and any sensible input value stay far below it, and the parser's recursion at this depth
/// uses a small part of a worker thread's stack, in debug builds too.
pub const MAX_NESTING: usize = 64;

/// Longest document text accepted on any transport (the HTTP body limit is the same).
pub const MAX_DOCUMENT_BYTES: usize = 64 * 1024;

/// Why a document's text was refused before parsing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BoundsError {
    TooLong { limit: usize },
    TooDeep { limit: usize },
}

impl BoundsError {
    pub fn message(&self) -> String {
        match self {
            Self::TooLong { limit } => format!("the document is longer than {limit} bytes"),
            Self::TooDeep { limit } => {
                format!("the document nests brackets more than {limit} levels deep")
            }
        }
    }
}

/// Refuses a document that is too long or nests too deep; linear in its length, no
/// allocation. Malformed text (an unclosed string, stray brackets) is left to the parser,
/// which reports it without recursing any deeper than the nesting allowed here.
pub fn check(text: &str) -> Result<(), BoundsError> {
    if text.len() > MAX_DOCUMENT_BYTES {
        return Err(BoundsError::TooLong {
            limit: MAX_DOCUMENT_BYTES,
        });
    }
    // Scanning bytes is exact for UTF-8: no byte of a multi-byte character is ASCII.
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'#' => i = skip_comment(bytes, i),
            b'"' if bytes[i..].starts_with(b"\"\"\"") => i = skip_block_string(bytes, i + 3),
            b'"' => i = skip_string(bytes, i + 1),
            b'{' | b'[' | b'(' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Err(BoundsError::TooDeep { limit: MAX_NESTING });
                }
                i += 1;
            }
            b'}' | b']' | b')' => {
                depth = depth.saturating_sub(1);
                i += 1;
            }
            _ => i += 1,
        }
    }
    Ok(())
}

/// The index after a `#` comment (comments end at a line break).
fn skip_comment(bytes: &[u8], start: usize) -> usize {
    bytes[start..]
        .iter()
        .position(|&b| b == b'\n' || b == b'\r')
        .map_or(bytes.len(), |offset| start + offset + 1)
}

/// The index after a string's closing quote, `start` being just after the opening one.
/// A line break ends an (invalid) string too, as it does for the parser.
fn skip_string(bytes: &[u8], start: usize) -> usize {
    let mut i = start;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' | b'\n' | b'\r' => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

/// The index after a block string's closing `"""`, `start` being just after the opening
/// one; `\"""` inside does not close it.
fn skip_block_string(bytes: &[u8], start: usize) -> usize {
    let mut i = start;
    while i < bytes.len() {
        if bytes[i..].starts_with(b"\\\"\"\"") {
            i += 4;
        } else if bytes[i..].starts_with(b"\"\"\"") {
            return i + 3;
        } else {
            i += 1;
        }
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nested(open: &str, close: &str, depth: usize) -> String {
        format!(
            "{{ product(id: {}1{}) {{ id }} }}",
            open.repeat(depth),
            close.repeat(depth)
        )
    }

    #[test]
    fn deep_lists_objects_and_selections_are_refused() {
        let too_deep = Err(BoundsError::TooDeep { limit: MAX_NESTING });
        assert_eq!(check(&nested("[", "]", 2_000)), too_deep);
        assert_eq!(check(&nested("{a:", "}", 2_000)), too_deep);
        let selections = format!("{}{}", "{a".repeat(2_000), "}".repeat(2_000));
        assert_eq!(check(&selections), too_deep);
        // Unclosed brackets count just the same.
        assert_eq!(check(&"[".repeat(MAX_NESTING + 1)), too_deep);
    }

    #[test]
    fn brackets_inside_strings_and_comments_do_not_count() {
        let deep = "[".repeat(500);
        assert_eq!(check(&format!("{{ a(s: \"{deep}\") }}")), Ok(()));
        assert_eq!(
            check(&format!("{{ a(s: \"\"\"{deep}\\\"\"\"{deep}\"\"\") }}")),
            Ok(())
        );
        assert_eq!(check(&format!("# {deep}\n{{ a }}")), Ok(()));
        assert_eq!(check(&format!("{{ a(s: \"\\\"{deep}\") }}")), Ok(()));
        // A string that is never closed ends at the line break; what follows counts.
        assert!(check(&format!("{{ a(s: \"x\n{deep}")).is_err());
    }

    #[test]
    fn the_deepest_accepted_document_parses_on_a_small_stack() {
        // The operation's braces and the argument's parentheses nest around the lists.
        let lists = nested("[", "]", MAX_NESTING - 2);
        let objects = nested("{a:", "}", MAX_NESTING - 2);
        let selections = format!("{}{}", "{a".repeat(MAX_NESTING), "}".repeat(MAX_NESTING));
        for document in [lists, objects, selections] {
            assert_eq!(check(&document), Ok(()));
            // The parser must cope with anything `check` lets through, even on a thread with
            // half the stack of a runtime worker.
            let parsed = std::thread::Builder::new()
                .stack_size(1024 * 1024)
                .spawn(move || async_graphql::parser::parse_query(&document).is_ok())
                .expect("thread")
                .join()
                .expect("no overflow");
            assert!(parsed);
        }
    }

    #[test]
    fn long_documents_are_refused() {
        let long = format!("{{ a }}{}", " ".repeat(MAX_DOCUMENT_BYTES));
        assert_eq!(
            check(&long),
            Err(BoundsError::TooLong {
                limit: MAX_DOCUMENT_BYTES
            })
        );
    }
}
