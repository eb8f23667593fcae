//! A compiled selection: for each response key, a function that writes its value straight
//! from the object the resolvers would have been given. The functions read the same field
//! values the resolvers return (each type's `*_value` methods), so both paths answer from one
//! definition of every field.

use std::cell::Cell;

use super::{
    collect::{Collected, Source},
    json::Out,
};
use crate::{domain::Locale, service::cart::Include};

/// Writes one field's value of a `T`; `None` when it cannot be written here (the operation
/// then runs on async-graphql).
pub type Write<T> = Box<dyn Fn(&T, &mut Out) -> Option<()> + Send + Sync>;

/// The fields a selection set asks of a `T`, in response order.
pub struct Selection<T> {
    fields: Vec<(Box<str>, Write<T>)>,
}

impl<T> Selection<T> {
    /// Writes `value` as a JSON object of the selected fields. With none left (all skipped),
    /// the value is `null`, as async-graphql writes an object without fields.
    pub fn write(&self, value: &T, out: &mut Out) -> Option<()> {
        if self.fields.is_empty() {
            out.null();
            return Some(());
        }
        out.begin_object();
        for (key, write) in &self.fields {
            out.key(key);
            write(value, out)?;
        }
        out.end_object();
        Some(())
    }
}

/// An object type this path can write.
pub trait Compiled: Sized + 'static {
    /// The GraphQL type name (for `__typename` and type conditions).
    const TYPE: &'static str;

    /// The writer of field `field`, or `None` when the field is not one this path writes.
    fn field(field: &Collected<'_>, compiler: &Compiler<'_>) -> Option<Write<Self>>;
}

/// Compiles selections of one operation and notes what the cart read must include.
pub struct Compiler<'d> {
    pub source: Source<'d>,
    /// `Money.formatted`'s locale when the operation gives none.
    pub locale: Locale,
    media: Cell<bool>,
    prices: Cell<bool>,
}

impl<'d> Compiler<'d> {
    pub fn new(source: Source<'d>, locale: Locale) -> Self {
        Self {
            source,
            locale,
            media: Cell::new(false),
            prices: Cell::new(false),
        }
    }

    /// The selection `field` makes of a `T`.
    ///
    /// async-graphql resolves each selection set given for one key on its own and merges the
    /// later answers into the first; a first answer with no fields left (all skipped) is
    /// `null`, and nothing merges into a `null`. So a key whose first selection set selects
    /// nothing is `null` here too, whatever the later ones select.
    pub fn selection<T: Compiled>(&self, field: &Collected<'d>) -> Option<Selection<T>> {
        if self
            .source
            .collect(&field.selections[..1], T::TYPE)?
            .is_empty()
        {
            return Some(Selection { fields: Vec::new() });
        }
        let collected = self.source.collect(&field.selections, T::TYPE)?;
        let mut fields = Vec::with_capacity(collected.len());
        for field in &collected {
            let write: Write<T> = if field.name == "__typename" {
                Box::new(|_, out| {
                    out.string(T::TYPE);
                    Some(())
                })
            } else {
                T::field(field, self)?
            };
            fields.push((field.key.into(), write));
        }
        Some(Selection { fields })
    }

    /// A field whose value depends on the cart's promotions was selected.
    pub fn needs_prices(&self) {
        self.prices.set(true);
    }

    /// A line's product media were selected.
    pub fn needs_media(&self) {
        self.media.set(true);
    }

    /// What the cart read must include for the fields compiled so far (as [`Include`]
    /// would be worked out from the same selection by `Cart::include`).
    pub fn include(&self) -> Include {
        Include {
            media: self.media.get(),
            prices: self.prices.get(),
        }
    }
}

/// An object field.
pub fn one<T, U: Compiled>(
    selection: Selection<U>,
    resolve: impl Fn(&T) -> U + Send + Sync + 'static,
) -> Write<T> {
    Box::new(move |value, out| selection.write(&resolve(value), out))
}

/// A nullable object field.
pub fn maybe<T, U: Compiled>(
    selection: Selection<U>,
    resolve: impl Fn(&T) -> Option<U> + Send + Sync + 'static,
) -> Write<T> {
    Box::new(move |value, out| match resolve(value) {
        Some(object) => selection.write(&object, out),
        None => {
            out.null();
            Some(())
        }
    })
}

/// A list of objects.
pub fn many<T, U: Compiled>(
    selection: Selection<U>,
    resolve: impl Fn(&T) -> Vec<U> + Send + Sync + 'static,
) -> Write<T> {
    Box::new(move |value, out| {
        out.begin_list();
        for object in resolve(value) {
            selection.write(&object, out)?;
        }
        out.end_list();
        Some(())
    })
}
