//! Global ids: every `id` of a `Node` type names its type and its row, so `node(id:)` can find
//! it and Relay can key its store by id alone.
//!
//! The form is `gid://cartql/<Type>/<key>` (readable in logs and GraphiQL, but opaque to
//! clients: nothing should parse it). Arguments that take an id of one type also accept the
//! bare key, which is what every id was before global ids, so ids a client stored then keep
//! working; an id of another type names nothing.

use async_graphql::ID;

const PREFIX: &str = "gid://cartql/";

/// The types that implement `Node`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeKind {
    Cart,
    CartItem,
    Product,
    Shop,
    Promotion,
    Checkout,
}

impl NodeKind {
    const ALL: [Self; 6] = [
        Self::Cart,
        Self::CartItem,
        Self::Product,
        Self::Shop,
        Self::Promotion,
        Self::Checkout,
    ];

    /// The GraphQL type name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Cart => "Cart",
            Self::CartItem => "CartItem",
            Self::Product => "Product",
            Self::Shop => "Shop",
            Self::Promotion => "Promotion",
            Self::Checkout => "Checkout",
        }
    }

    /// The global id of the row `key`.
    pub fn id(self, key: &str) -> ID {
        ID(self.id_string(key))
    }

    /// [`NodeKind::id`] as a plain string.
    pub fn id_string(self, key: &str) -> String {
        let name = self.name();
        let mut id = String::with_capacity(PREFIX.len() + name.len() + 1 + key.len());
        id.push_str(PREFIX);
        id.push_str(name);
        id.push('/');
        id.push_str(key);
        id
    }

    /// The row key `id` names for this type: the key of a global id of this type, or a bare key
    /// as given. A global id of another type comes back whole; it is no valid key (it holds
    /// `/`), so the lookup finds nothing, as for any unknown id.
    pub fn key(self, id: &str) -> &str {
        match parse(id) {
            Some((kind, key)) if kind == self => key,
            _ => id,
        }
    }
}

/// The type and row key of a global id; `None` for anything else, bare keys included.
pub fn parse(id: &str) -> Option<(NodeKind, &str)> {
    let (name, key) = id.strip_prefix(PREFIX)?.split_once('/')?;
    let kind = NodeKind::ALL.into_iter().find(|kind| kind.name() == name)?;
    (!key.is_empty()).then_some((kind, key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn global_ids_round_trip_and_name_one_type() {
        let id = NodeKind::CartItem.id("0193-ab");
        assert_eq!(id.as_str(), "gid://cartql/CartItem/0193-ab");
        assert_eq!(parse(&id), Some((NodeKind::CartItem, "0193-ab")));
        assert_eq!(NodeKind::CartItem.key(&id), "0193-ab");
        assert_eq!(
            NodeKind::Cart.key(&id),
            id.as_str(),
            "another type's id names nothing"
        );
    }

    #[test]
    fn bare_keys_pass_through_and_malformed_ids_are_not_global() {
        assert_eq!(NodeKind::Product.key("0193-ab"), "0193-ab");
        for bad in [
            "0193-ab",
            "gid://cartql/Cart/",
            "gid://cartql/Order/1",
            "gid://other/Cart/1",
            "gid://cartql/Cart",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }
}
