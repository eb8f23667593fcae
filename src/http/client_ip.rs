//! Which address a request comes from, for the per-address rate limits of anonymous callers
//! (and, in full, for the access log).
//! Behind a reverse proxy the socket's peer is the proxy, so when the peer is one of
//! `CARTQL_TRUSTED_PROXIES` the client is read from `X-Forwarded-For`: the right-most entry
//! that is not itself a trusted proxy (entries further left are whatever the client wrote).
//!
//! An IPv6 client is counted by its /64: one subscriber is given a whole /64 and can rotate
//! through its addresses at will, so a single address would be no limit at all.

use std::net::{IpAddr, Ipv6Addr, SocketAddr};

use axum::{
    extract::ConnectInfo,
    http::{Extensions, HeaderMap},
};

use crate::domain::holder::UNKNOWN_ADDRESS;

/// The client's address as the limits count it: an IPv4 address, or an IPv6 caller's /64
/// (`2001:db8:1:2::/64`); "unknown" when the server does not know the peer (tests drive the
/// router without a socket).
pub fn client_address(extensions: &Extensions, headers: &HeaderMap, trusted: &[IpAddr]) -> String {
    let Some(peer) = extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip())
    else {
        return UNKNOWN_ADDRESS.to_owned();
    };
    counted(forwarded_client(peer, headers, trusted))
}

/// The client's full address (IPv4-mapped IPv6 as IPv4), for the access log; `None` when the
/// server does not know the peer.
pub fn client_ip(
    extensions: &Extensions,
    headers: &HeaderMap,
    trusted: &[IpAddr],
) -> Option<IpAddr> {
    let peer = extensions.get::<ConnectInfo<SocketAddr>>()?.0.ip();
    Some(forwarded_client(peer, headers, trusted).to_canonical())
}

/// IPv4 as it is (IPv4-mapped IPv6 included), IPv6 by its /64 network.
fn counted(address: IpAddr) -> String {
    match address.to_canonical() {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => {
            let network = Ipv6Addr::from(v6.to_bits() & !((1u128 << 64) - 1));
            format!("{network}/64")
        }
    }
}

fn forwarded_client(peer: IpAddr, headers: &HeaderMap, trusted: &[IpAddr]) -> IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    let hops: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .collect();
    let mut client = peer;
    for hop in hops.iter().rev() {
        // A malformed hop ends the walk: nothing left of it can be trusted.
        let Ok(address) = hop.parse::<IpAddr>() else {
            break;
        };
        client = address;
        if !trusted.contains(&address) {
            break;
        }
    }
    client
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("an address")
    }

    fn forwarded(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-forwarded-for",
            HeaderValue::from_str(value).expect("a value"),
        );
        headers
    }

    #[test]
    fn the_client_is_the_last_hop_before_the_trusted_proxies() {
        let proxies = [ip("10.0.0.1"), ip("10.0.0.2")];
        let headers = forwarded("6.6.6.6, 203.0.113.7, 10.0.0.2");
        // From a trusted proxy: the right-most untrusted hop, not the spoofable left one.
        assert_eq!(
            forwarded_client(ip("10.0.0.1"), &headers, &proxies),
            ip("203.0.113.7")
        );
        // From anyone else, the header is ignored.
        assert_eq!(
            forwarded_client(ip("198.51.100.1"), &headers, &proxies),
            ip("198.51.100.1")
        );
        // Without the header, or with garbage in it, the proxy itself.
        assert_eq!(
            forwarded_client(ip("10.0.0.1"), &HeaderMap::new(), &proxies),
            ip("10.0.0.1")
        );
        assert_eq!(
            forwarded_client(ip("10.0.0.1"), &forwarded("nonsense"), &proxies),
            ip("10.0.0.1")
        );
    }

    #[test]
    fn an_ipv6_client_counts_by_its_64() {
        assert_eq!(
            counted(ip("2001:db8:1:2:aaaa:bbbb:cccc:dddd")),
            "2001:db8:1:2::/64"
        );
        assert_eq!(
            counted(ip("2001:db8:1:2::9")),
            counted(ip("2001:db8:1:2::1"))
        );
        assert_ne!(
            counted(ip("2001:db8:1:3::1")),
            counted(ip("2001:db8:1:2::1"))
        );
        assert_eq!(counted(ip("::ffff:192.0.2.7")), "192.0.2.7");
        assert_eq!(counted(ip("192.0.2.7")), "192.0.2.7");
    }
}
