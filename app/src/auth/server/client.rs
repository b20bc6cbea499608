//! Who is asking: the client address a request came from, for the sign-in throttle.
//!
//! The peer of the TCP connection is the client, unless it is one of the configured trusted
//! proxies (`TOLLGATE_TRUSTED_PROXIES`): then the right-most address in `X-Forwarded-For` that
//! is not itself a trusted proxy is. A header from anyone else is ignored, so a client cannot
//! choose its own address.

use axum::extract::ConnectInfo;
use ipnet::IpNet;
use std::net::{IpAddr, SocketAddr};

/// The client's address, from the connection's peer and the `X-Forwarded-For` values.
pub fn client_address(peer: Option<IpAddr>, forwarded_for: &[&str], trusted: &[IpNet]) -> Option<IpAddr> {
    let peer = peer?;
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return Some(peer);
    }
    let mut client = peer;
    let hops = forwarded_for
        .iter()
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .rev();
    for hop in hops {
        match hop.parse::<IpAddr>() {
            Ok(ip) => {
                client = ip;
                if !is_trusted(&ip) {
                    break;
                }
            }
            // A hop we can't read: the last one we could is the best we know.
            Err(_) => break,
        }
    }
    Some(client)
}

/// The client address of the request being handled (page render or server function).
pub fn from_request(trusted: &[IpNet]) -> Option<IpAddr> {
    let parts = leptos::prelude::use_context::<http::request::Parts>()?;
    from_parts(&parts, trusted)
}

/// The client address of a request, from its parts.
pub fn from_parts(parts: &http::request::Parts, trusted: &[IpNet]) -> Option<IpAddr> {
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip());
    let forwarded: Vec<&str> = parts
        .headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .collect();
    client_address(peer, &forwarded, trusted)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap_or(IpAddr::from([0, 0, 0, 0]))
    }

    fn nets(list: &[&str]) -> Vec<IpNet> {
        list.iter().filter_map(|n| n.parse().ok()).collect()
    }

    #[test]
    fn without_trusted_proxies_the_header_is_ignored() {
        let got = client_address(Some(ip("192.0.2.7")), &["203.0.113.9"], &[]);
        assert_eq!(got, Some(ip("192.0.2.7")));
    }

    #[test]
    fn behind_a_trusted_proxy_the_forwarded_client_is_used() {
        let trusted = nets(&["127.0.0.1/32"]);
        let got = client_address(Some(ip("127.0.0.1")), &["203.0.113.9"], &trusted);
        assert_eq!(got, Some(ip("203.0.113.9")));
    }

    #[test]
    fn a_client_cannot_pose_as_another_by_prepending_to_the_header() {
        // The client sent "X-Forwarded-For: 198.51.100.1"; the proxy appended its peer.
        let trusted = nets(&["10.0.0.0/8"]);
        let got = client_address(Some(ip("10.0.0.2")), &["198.51.100.1, 203.0.113.9"], &trusted);
        assert_eq!(got, Some(ip("203.0.113.9")));
    }

    #[test]
    fn chains_of_trusted_proxies_are_walked_from_the_right() {
        let trusted = nets(&["10.0.0.0/8"]);
        let got = client_address(Some(ip("10.0.0.2")), &["203.0.113.9", "10.1.1.1"], &trusted);
        assert_eq!(got, Some(ip("203.0.113.9")));
    }

    #[test]
    fn garbage_in_the_header_stops_at_the_last_readable_hop() {
        let trusted = nets(&["10.0.0.0/8"]);
        let got = client_address(Some(ip("10.0.0.2")), &["nonsense"], &trusted);
        assert_eq!(got, Some(ip("10.0.0.2")));
    }

    #[test]
    fn no_connection_means_no_address() {
        assert_eq!(client_address(None, &["203.0.113.9"], &[]), None);
    }
}
