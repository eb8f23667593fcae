//! Who stands behind a request, beyond its token: the client address and the buyer's email,
//! as keys. A bot mints guest tokens for free, but not addresses (an IPv6 caller is its /64,
//! the block one subscriber gets) or inboxes; per-customer promotion limits and the hold caps
//! count by these keys. Keys are SHA-256 digests, so the tables that keep them (longer than the
//! carts, whose personal data is purged) hold no email or address in plain text.

use sha2::{Digest, Sha256};

/// Mail providers that ignore dots in the local part, and their canonical domain.
const DOTLESS: [(&str, &str); 2] = [("gmail.com", "gmail.com"), ("googlemail.com", "gmail.com")];

/// The email as one inbox: lower case, without a `+tag` (sub-addressing delivers
/// `ada+1@…` to `ada@…`), and without dots where the provider ignores them.
pub fn normalise_email(email: &str) -> String {
    let email = email.trim().to_lowercase();
    let Some((local, domain)) = email.rsplit_once('@') else {
        return email;
    };
    let domain = domain.trim_end_matches('.');
    let local = local.split('+').next().unwrap_or(local);
    match DOTLESS.iter().find(|(host, _)| *host == domain) {
        Some((_, canonical)) => format!("{}@{canonical}", local.replace('.', "")),
        None => format!("{local}@{domain}"),
    }
}

/// The key of a buyer's inbox: `e:` and the SHA-256 of the normalised email.
pub fn buyer_key(email: &str) -> String {
    format!("e:{}", digest(&normalise_email(email)))
}

/// The key of a client address as the limits see it (an IPv6 caller by its /64); `None` when
/// the server does not know the address.
pub fn address_key(address: &str) -> Option<String> {
    (address != UNKNOWN_ADDRESS).then(|| format!("a:{}", digest(address)))
}

/// What the server calls an address it does not know (a request without a socket).
pub const UNKNOWN_ADDRESS: &str = "unknown";

fn digest(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_inbox_is_one_key() {
        let key = buyer_key("ada@example.com");
        for same in [
            " Ada@Example.com ",
            "ada+deal1@example.com",
            "ADA+x+y@EXAMPLE.COM.",
        ] {
            assert_eq!(buyer_key(same), key, "{same}");
        }
        assert_ne!(buyer_key("ada2@example.com"), key);
        // Dots count everywhere but where the provider ignores them.
        assert_ne!(buyer_key("a.da@example.com"), key);
        assert_eq!(
            buyer_key("a.d.a+bot@googlemail.com"),
            buyer_key("ada@gmail.com")
        );
        assert!(key.starts_with("e:") && key.len() == 66);
    }

    #[test]
    fn an_unknown_address_has_no_key() {
        assert_eq!(address_key(UNKNOWN_ADDRESS), None);
        assert_ne!(address_key("127.0.0.2"), address_key("127.0.0.3"));
    }
}
