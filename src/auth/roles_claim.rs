//! Which claim of a user token carries its roles (`CARTQL_JWT_ROLES_CLAIM`). An identity
//! provider shared by several apps puts every app's roles in its tokens; reading a generic
//! `roles` claim would let another app's `admin` be cartql's admin, so the claim is named by
//! configuration: a top-level name (`roles`), a dotted path into nested objects
//! (`realm_access.roles`, Keycloak's), or a namespaced URL claim
//! (`https://shop.example.com/roles`, Auth0's), which is one name, dots and all.

use anyhow::bail;
use serde_json::{Map, Value};

/// Where the roles sit in a token's payload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RolesClaim {
    path: Vec<String>,
}

impl RolesClaim {
    /// Reads a configured claim name; a URL is one claim, anything else a dotted path.
    pub fn parse(raw: &str) -> anyhow::Result<Self> {
        let raw = raw.trim();
        let path: Vec<String> = if raw.contains("://") {
            vec![raw.to_owned()]
        } else {
            raw.split('.').map(str::to_owned).collect()
        };
        if path.iter().any(String::is_empty) {
            bail!(
                "CARTQL_JWT_ROLES_CLAIM must be a claim name, a dotted path such as \
                 realm_access.roles, or a URL claim, got {raw:?}"
            );
        }
        Ok(Self { path })
    }

    /// The roles in `payload`: an array of strings (other entries ignored) or one string.
    /// Anything else, or nothing at the path, is no roles.
    pub fn read(&self, payload: &Map<String, Value>) -> Vec<String> {
        let mut path = self.path.iter();
        let Some(first) = path.next() else {
            return Vec::new();
        };
        let mut at = payload.get(first);
        for key in path {
            at = at.and_then(|value| value.get(key));
        }
        match at {
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect(),
            Some(Value::String(role)) => vec![role.clone()],
            _ => Vec::new(),
        }
    }

    /// Puts `roles` at the path in `payload`, making the objects on the way.
    pub fn write(&self, payload: &mut Map<String, Value>, roles: &[&str]) {
        let Some((last, parents)) = self.path.split_last() else {
            return;
        };
        let mut at = payload;
        for key in parents {
            let entry = at
                .entry(key.clone())
                .or_insert_with(|| Value::Object(Map::new()));
            if !entry.is_object() {
                *entry = Value::Object(Map::new());
            }
            let Value::Object(next) = entry else { return };
            at = next;
        }
        let roles = roles
            .iter()
            .map(|r| Value::String((*r).to_owned()))
            .collect();
        at.insert(last.clone(), Value::Array(roles));
    }
}

impl Default for RolesClaim {
    fn default() -> Self {
        Self {
            path: vec!["roles".to_owned()],
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn payload(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => Map::new(),
        }
    }

    #[test]
    fn paths_urls_and_shapes() {
        let nested = RolesClaim::parse("realm_access.roles").expect("a path");
        let token =
            payload(json!({ "roles": ["admin"], "realm_access": { "roles": ["checkout", 3] } }));
        assert_eq!(nested.read(&token), vec!["checkout"]);
        let url = RolesClaim::parse("https://shop.example.com/roles").expect("a URL");
        let token = payload(json!({ "https://shop.example.com/roles": "admin" }));
        assert_eq!(url.read(&token), vec!["admin"]);
        assert!(RolesClaim::parse("a..b").is_err());
        assert!(
            RolesClaim::default()
                .read(&payload(json!({ "roles": 1 })))
                .is_empty()
        );

        let mut issued = Map::new();
        nested.write(&mut issued, &["admin"]);
        assert_eq!(nested.read(&issued), vec!["admin"]);
        assert_eq!(
            Value::Object(issued),
            json!({ "realm_access": { "roles": ["admin"] } })
        );
    }
}
