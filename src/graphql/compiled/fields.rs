//! Shorthand for the field tables.

/// A leaf field of `Self`: `$value` (which may borrow from `$object`) written as JSON.
macro_rules! leaf {
    (|$object:ident| $value:expr) => {{
        let write: $crate::graphql::compiled::plan::Write<Self> = Box::new(
            |$object: &Self, out: &mut $crate::graphql::compiled::json::Out| {
                $crate::graphql::compiled::json::Leaf::write(&$value, out);
                Some(())
            },
        );
        write
    }};
    // The same, owning what it captures (an argument's value).
    (move |$object:ident| $value:expr) => {{
        let write: $crate::graphql::compiled::plan::Write<Self> = Box::new(
            move |$object: &Self, out: &mut $crate::graphql::compiled::json::Out| {
                $crate::graphql::compiled::json::Leaf::write(&$value, out);
                Some(())
            },
        );
        write
    }};
}

pub(super) use leaf;
