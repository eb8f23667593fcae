//! Persisted queries, resolved before the document is parsed (cartql's expansion check and rate limits
//! read the document before execution, so async-graphql's own APQ extension, which runs
//! inside execution, would come too late; this follows the same protocol).
//!
//! - **Automatic persisted queries** (Apollo's protocol): a request may carry
//!   `extensions.persistedQuery = {version: 1, sha256Hash}` instead of `query`. A known hash
//!   runs its document; an unknown one answers `PERSISTED_QUERY_NOT_FOUND`, and the client
//!   sends the hash with the query, which is checked against the hash and remembered (a
//!   bounded LRU of [`CAPACITY`] documents per instance).
//! - **Persisted documents only** (`CARTQL_PERSISTED_DOCUMENTS`, a JSON manifest of
//!   `{"<sha256>": "<document>"}` as graphql-codegen's client preset writes it): only the
//!   listed documents run, named by `extensions.persistedQuery.sha256Hash` or sent in full.

use crate::error::codes;
use std::{
    collections::HashMap,
    num::NonZeroUsize,
    path::Path,
    sync::{Mutex, PoisonError},
};

use anyhow::Context;
use async_graphql::{Request, Value};
use lru::LruCache;
use sha2::{Digest, Sha256};

/// Documents remembered by automatic persisted queries, per instance.
pub const CAPACITY: usize = 1024;
/// Longest document remembered.
const MAX_DOCUMENT_LEN: usize = 64 * 1024;

/// Why a request's persisted query could not be resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PersistedError {
    /// The hash is not known (yet): send it again with the query.
    NotFound,
    /// The query does not hash to the hash sent with it, or the extension is malformed.
    Invalid(&'static str),
    /// Persisted-documents-only mode and the document is not in the manifest.
    NotAllowed,
}

impl PersistedError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotFound => codes::PERSISTED_QUERY_NOT_FOUND,
            Self::Invalid(_) => codes::BAD_USER_INPUT,
            Self::NotAllowed => codes::PERSISTED_QUERY_NOT_ALLOWED,
        }
    }

    pub fn message(&self) -> &'static str {
        match self {
            // The exact text Apollo Client's persisted-query link looks for.
            Self::NotFound => "PersistedQueryNotFound",
            Self::Invalid(why) => why,
            Self::NotAllowed => {
                "this server runs only the operations in its persisted-documents manifest"
            }
        }
    }
}

pub struct PersistedQueries {
    learned: Mutex<LruCache<String, String>>,
    /// Persisted-documents-only mode: the manifest, by lowercase hex SHA-256.
    manifest: Option<HashMap<String, String>>,
}

impl PersistedQueries {
    /// Automatic persisted queries, and the manifest when `manifest` names one.
    pub fn new(manifest: Option<&Path>) -> anyhow::Result<Self> {
        let manifest = manifest.map(load_manifest).transpose()?;
        Ok(Self {
            learned: Mutex::new(LruCache::new(
                NonZeroUsize::new(CAPACITY).unwrap_or(NonZeroUsize::MIN),
            )),
            manifest,
        })
    }

    /// Fills in `request.query` from its persisted query, learns a new one, or refuses.
    pub fn resolve(&self, request: &mut Request) -> Result<(), PersistedError> {
        let hash = requested_hash(request)?;
        match &self.manifest {
            Some(manifest) => {
                let hash = match (hash, request.query.is_empty()) {
                    (Some(hash), _) => hash,
                    (None, false) => sha256_hex(&request.query),
                    (None, true) => return Err(PersistedError::NotAllowed),
                };
                let document = manifest.get(&hash).ok_or(PersistedError::NotAllowed)?;
                if !request.query.is_empty() && request.query != *document {
                    return Err(PersistedError::NotAllowed);
                }
                request.query.clone_from(document);
                Ok(())
            }
            None => {
                let Some(hash) = hash else {
                    return Ok(());
                };
                if request.query.is_empty() {
                    let known = self.lock().get(&hash).cloned();
                    request.query = known.ok_or(PersistedError::NotFound)?;
                    return Ok(());
                }
                if sha256_hex(&request.query) != hash {
                    return Err(PersistedError::Invalid(
                        "the persisted query's sha256Hash does not match its query",
                    ));
                }
                if request.query.len() <= MAX_DOCUMENT_LEN {
                    self.lock().put(hash, request.query.clone());
                }
                Ok(())
            }
        }
    }

    /// True when only the manifest's documents run.
    pub fn documents_only(&self) -> bool {
        self.manifest.is_some()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, LruCache<String, String>> {
        self.learned.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The hash a request names in `extensions.persistedQuery` (version 1), if any.
fn requested_hash(request: &Request) -> Result<Option<String>, PersistedError> {
    let Some(extension) = request.extensions.get("persistedQuery") else {
        return Ok(None);
    };
    let Value::Object(fields) = extension else {
        return Err(PersistedError::Invalid("persistedQuery must be an object"));
    };
    match fields.get("version") {
        Some(Value::Number(n)) if n.as_u64() == Some(1) => {}
        _ => {
            return Err(PersistedError::Invalid(
                "only persistedQuery version 1 is supported",
            ));
        }
    }
    match fields.get("sha256Hash") {
        Some(Value::String(hash)) => checked_hash(hash).map(Some),
        _ => Err(PersistedError::Invalid(
            "persistedQuery needs a sha256Hash string",
        )),
    }
}

fn checked_hash(hash: &str) -> Result<String, PersistedError> {
    if hash.len() == 64 && hash.chars().all(|c| c.is_ascii_hexdigit()) {
        Ok(hash.to_ascii_lowercase())
    } else {
        Err(PersistedError::Invalid(
            "a persisted query hash is 64 hexadecimal digits",
        ))
    }
}

fn sha256_hex(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// Reads a `{"<sha256>": "<document>"}` manifest, checking every hash.
fn load_manifest(path: &Path) -> anyhow::Result<HashMap<String, String>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the persisted documents at {}", path.display()))?;
    let manifest: HashMap<String, String> = serde_json::from_str(&text).with_context(|| {
        format!(
            "{} must be a JSON object of sha256 hash → document",
            path.display()
        )
    })?;
    for (hash, document) in &manifest {
        let bare = hash.strip_prefix("sha256:").unwrap_or(hash);
        anyhow::ensure!(
            sha256_hex(document) == bare.to_ascii_lowercase(),
            "{}: the document listed under {hash} does not hash to it",
            path.display()
        );
    }
    Ok(manifest
        .into_iter()
        .map(|(hash, document)| {
            let bare = hash
                .strip_prefix("sha256:")
                .unwrap_or(&hash)
                .to_ascii_lowercase();
            (bare, document)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest_file(content: &str) -> std::path::PathBuf {
        let path = std::env::temp_dir().join(format!(
            "cartql-manifest-{}.json",
            crate::domain::ids::new_id()
        ));
        std::fs::write(&path, content).expect("write the manifest");
        path
    }

    #[test]
    fn a_manifest_whose_hash_does_not_match_its_document_is_refused() {
        let document = "{ __typename }";
        let good =
            manifest_file(&serde_json::json!({ sha256_hex(document): document }).to_string());
        let bad = manifest_file(&serde_json::json!({ sha256_hex("other"): document }).to_string());
        let garbage = manifest_file("[1, 2]");
        assert!(PersistedQueries::new(Some(&good)).is_ok_and(|p| p.documents_only()));
        assert!(PersistedQueries::new(Some(&bad)).is_err());
        assert!(PersistedQueries::new(Some(&garbage)).is_err());
        for path in [good, bad, garbage] {
            std::fs::remove_file(path).ok();
        }
    }
}
