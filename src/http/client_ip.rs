//! Which address a request comes from, for the per-address rate limits of anonymous callers.
//! Behind a reverse proxy the socket's peer is the proxy, so when the peer is one of
//! `CARTQL_TRUSTED_PROXIES` the client is read from `X-Forwarded-For`: the right-most entry
//! that is not itself a trusted proxy (entries further left are whatever the client wrote).

use std::net::{IpAddr, SocketAddr};

use axum::{
    extract::ConnectInfo,
    http::{Extensions, HeaderMap},
};

/// The client's address as text; "unknown" when the server does not know the peer (tests
/// drive the router without a socket).
pub fn client_address(extensions: &Extensions, headers: &HeaderMap, trusted: &[IpAddr]) -> String {
    let Some(peer) = extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip())
    else {
        return "unknown".to_owned();
    };
    forwarded_client(peer, headers, trusted).to_string()
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
}
