//! The response text, written as the plan walks the view: no value tree in between. Every
//! value is written as async-graphql's `Response` serializes it (serde_json's compact form),
//! so both paths give the same bytes.

use async_graphql::{ID, ScalarType};
use chrono::{DateTime, Utc};

/// A JSON text being written. Objects and lists track whether a comma is due.
pub struct Out {
    text: Vec<u8>,
    /// True right after `{`, `[` or a key: the next member needs no comma.
    fresh: bool,
}

impl Out {
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            text: Vec::with_capacity(capacity),
            fresh: true,
        }
    }

    fn separate(&mut self) {
        if !self.fresh {
            self.text.push(b',');
        }
        self.fresh = false;
    }

    pub fn begin_object(&mut self) {
        self.separate();
        self.text.push(b'{');
        self.fresh = true;
    }

    pub fn end_object(&mut self) {
        self.text.push(b'}');
        self.fresh = false;
    }

    pub fn begin_list(&mut self) {
        self.separate();
        self.text.push(b'[');
        self.fresh = true;
    }

    pub fn end_list(&mut self) {
        self.text.push(b']');
        self.fresh = false;
    }

    /// A member's key; its value follows.
    pub fn key(&mut self, key: &str) {
        self.separate();
        self.escaped(key);
        self.text.push(b':');
        self.fresh = true;
    }

    pub fn null(&mut self) {
        self.separate();
        self.text.extend_from_slice(b"null");
    }

    pub fn string(&mut self, value: &str) {
        self.separate();
        self.escaped(value);
    }

    pub fn boolean(&mut self, value: bool) {
        self.separate();
        self.text
            .extend_from_slice(if value { b"true" } else { b"false" });
    }

    pub fn integer(&mut self, value: i64) {
        self.separate();
        self.text
            .extend_from_slice(itoa::Buffer::new().format(value).as_bytes());
    }

    fn escaped(&mut self, value: &str) {
        // Writing into a Vec cannot fail.
        let _ = serde_json::to_writer(&mut self.text, value);
    }

    pub fn into_string(self) -> String {
        // Only whole strings and ASCII punctuation were written.
        String::from_utf8(self.text).unwrap_or_default()
    }
}

/// A value a plan writes as a JSON leaf, as its GraphQL type serializes it.
pub trait Leaf {
    fn write(&self, out: &mut Out);
}

impl Leaf for bool {
    fn write(&self, out: &mut Out) {
        out.boolean(*self);
    }
}

impl Leaf for i32 {
    fn write(&self, out: &mut Out) {
        out.integer(i64::from(*self));
    }
}

impl Leaf for i64 {
    fn write(&self, out: &mut Out) {
        out.integer(*self);
    }
}

impl Leaf for str {
    fn write(&self, out: &mut Out) {
        out.string(self);
    }
}

impl Leaf for String {
    fn write(&self, out: &mut Out) {
        out.string(self);
    }
}

impl Leaf for ID {
    fn write(&self, out: &mut Out) {
        out.string(self);
    }
}

impl Leaf for DateTime<Utc> {
    fn write(&self, out: &mut Out) {
        // The scalar's own text, whatever form it takes.
        match ScalarType::to_value(self) {
            async_graphql::Value::String(text) => out.string(&text),
            _ => out.null(),
        }
    }
}

impl<T: Leaf + ?Sized> Leaf for &T {
    fn write(&self, out: &mut Out) {
        (**self).write(out);
    }
}

impl<T: Leaf> Leaf for Option<T> {
    fn write(&self, out: &mut Out) {
        match self {
            Some(value) => value.write(out),
            None => out.null(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_compact_json_with_commas_where_due() {
        let mut out = Out::with_capacity(64);
        out.begin_object();
        out.key("a\"b");
        out.string("x\ny");
        out.key("n");
        out.begin_list();
        out.integer(-3);
        out.boolean(true);
        out.null();
        out.begin_object();
        out.end_object();
        out.end_list();
        out.end_object();
        assert_eq!(
            out.into_string(),
            r#"{"a\"b":"x\ny","n":[-3,true,null,{}]}"#
        );
    }
}
