//! The client's IP address behind trusted proxies: the one address that rate limits,
//! lockout records, sessions and audit events all use.
//!
//! The socket peer is the client unless it is a configured trusted proxy
//! (`ROSTER_TRUSTED_PROXIES`, a CIDR list). Only then is the forwarding header read — the
//! one the operator names (`X-Forwarded-For`, or `Forwarded` per RFC 7239 §5.2), never
//! both: a proxy that appends to one passes the other through from the client untouched,
//! so reading it would let any client choose its address. The header is walked from the
//! right: each hop a trusted proxy vouches for is followed while it is itself trusted; the
//! first untrusted hop is the client. An unreadable entry (`unknown`, an obfuscated name,
//! garbage) stops the walk at the proxy that wrote it.

use axum::extract::{ConnectInfo, Request};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::Response;
use ipnet::IpNet;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

/// Which header trusted proxies write the client chain into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ForwardedHeader {
    /// `X-Forwarded-For: client, proxy1, proxy2`
    XForwardedFor,
    /// `Forwarded: for=client;proto=https, for="[2001:db8::1]:4711"` (RFC 7239)
    Forwarded,
}

/// The proxies whose forwarding header is believed.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies {
    nets: Arc<[IpNet]>,
    header: Option<ForwardedHeader>,
}

/// A setting that is not a list of addresses or networks.
#[derive(Debug, thiserror::Error)]
#[error("{0:?} is not an IP address or CIDR network (e.g. 10.0.0.0/8, 192.0.2.7, fd00::/8)")]
pub struct BadProxy(String);

impl TrustedProxies {
    /// Parses a comma- or space-separated list of CIDR networks and bare addresses (a bare
    /// address is a /32 or /128). An empty list trusts nobody.
    pub fn parse(list: &str, header: ForwardedHeader) -> Result<Self, BadProxy> {
        let nets = list
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|s| !s.is_empty())
            .map(|s| {
                s.parse::<IpNet>()
                    .or_else(|_| s.parse::<IpAddr>().map(IpNet::from))
                    .map(|n| n.trunc())
                    .map_err(|_| BadProxy(s.to_owned()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self { nets: nets.into(), header: Some(header) })
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.nets.iter().any(|n| n.contains(&ip))
    }

    /// The client's address for a request from `peer` carrying `headers`.
    pub fn client_of(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let peer = peer.to_canonical();
        let Some(header) = self.header.filter(|_| self.trusts(peer)) else { return peer };
        let mut client = peer;
        let values = headers.get_all(match header {
            ForwardedHeader::XForwardedFor => "x-forwarded-for",
            ForwardedHeader::Forwarded => "forwarded",
        });
        // Several header lines form one list, in order; walk it from the right.
        let lines: Vec<&str> = values.iter().filter_map(|v| v.to_str().ok()).collect();
        for element in lines.iter().rev().flat_map(|line| line.rsplit(',')) {
            if !self.trusts(client) {
                break;
            }
            let hop = match header {
                ForwardedHeader::XForwardedFor => parse_node(element.trim()),
                ForwardedHeader::Forwarded => forwarded_for(element),
            };
            match hop {
                Some(ip) => client = ip.to_canonical(),
                None => break,
            }
        }
        client
    }
}

/// The `for=` node of one RFC 7239 forwarded-element (`for=192.0.2.60;proto=http`).
fn forwarded_for(element: &str) -> Option<IpAddr> {
    element.split(';').find_map(|pair| {
        let (key, value) = pair.split_once('=')?;
        key.trim().eq_ignore_ascii_case("for").then(|| parse_node(value.trim()))?
    })
}

/// An address as proxies write it: `192.0.2.60`, `192.0.2.60:8080`, `"[2001:db8::1]:4711"`,
/// `2001:db8::1`. `unknown` and obfuscated identifiers (`_hidden`) are `None`.
fn parse_node(node: &str) -> Option<IpAddr> {
    let node = node.trim_matches('"');
    if let Ok(ip) = node.parse::<IpAddr>() {
        return Some(ip);
    }
    if let Some(rest) = node.strip_prefix('[') {
        return rest.split_once(']').and_then(|(ip, _)| ip.parse().ok());
    }
    node.parse::<SocketAddr>().ok().map(|a| a.ip())
}

/// The client's address, put into every request's extensions by [`resolve`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

/// Middleware: works out the client's address once per request. Costs one lookup in the
/// (usually empty) trusted list unless the peer is a trusted proxy.
pub async fn resolve(
    axum::extract::State(trusted): axum::extract::State<TrustedProxies>,
    mut req: Request,
    next: Next,
) -> Response {
    if let Some(ConnectInfo(peer)) = req.extensions().get::<ConnectInfo<SocketAddr>>() {
        let ip = trusted.client_of(peer.ip(), req.headers());
        req.extensions_mut().insert(ClientIp(ip));
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(name: &'static str, values: &[&'static str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append(name, HeaderValue::from_static(v));
        }
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn untrusted_peers_are_the_client_whatever_they_claim() {
        let none = TrustedProxies::default();
        let spoof = headers("x-forwarded-for", &["203.0.113.9"]);
        assert_eq!(none.client_of(ip("198.51.100.1"), &spoof), ip("198.51.100.1"));
        let t = TrustedProxies::parse("10.0.0.0/8", ForwardedHeader::XForwardedFor).unwrap();
        assert_eq!(t.client_of(ip("198.51.100.1"), &spoof), ip("198.51.100.1"));
    }

    #[test]
    fn the_right_most_untrusted_hop_is_the_client() {
        let t = TrustedProxies::parse("10.0.0.0/8, 192.0.2.7", ForwardedHeader::XForwardedFor).unwrap();
        // The client claimed 1.1.1.1; the real client 203.0.113.5 went through two proxies.
        let h = headers("x-forwarded-for", &["1.1.1.1, 203.0.113.5", "192.0.2.7"]);
        assert_eq!(t.client_of(ip("10.1.2.3"), &h), ip("203.0.113.5"));
        // Every hop trusted: the left-most is as far as we can see.
        let h = headers("x-forwarded-for", &["10.9.9.9"]);
        assert_eq!(t.client_of(ip("10.1.2.3"), &h), ip("10.9.9.9"));
        // An unreadable hop stops the walk at the proxy that wrote it.
        let h = headers("x-forwarded-for", &["203.0.113.5, unknown"]);
        assert_eq!(t.client_of(ip("10.1.2.3"), &h), ip("10.1.2.3"));
        // No header: the proxy itself.
        assert_eq!(t.client_of(ip("10.1.2.3"), &HeaderMap::new()), ip("10.1.2.3"));
    }

    #[test]
    fn only_the_configured_header_is_read() {
        let t = TrustedProxies::parse("10.0.0.0/8", ForwardedHeader::XForwardedFor).unwrap();
        let mut h = headers("forwarded", &["for=1.1.1.1"]);
        h.append("x-forwarded-for", HeaderValue::from_static("203.0.113.5"));
        assert_eq!(t.client_of(ip("10.0.0.1"), &h), ip("203.0.113.5"));
        let t = TrustedProxies::parse("10.0.0.0/8", ForwardedHeader::Forwarded).unwrap();
        assert_eq!(t.client_of(ip("10.0.0.1"), &h), ip("1.1.1.1"));
    }

    #[test]
    fn forwarded_elements_follow_rfc_7239() {
        let t = TrustedProxies::parse("10.0.0.0/8 fd00::/8", ForwardedHeader::Forwarded).unwrap();
        let h = headers("forwarded", &[r#"for=192.0.2.43, for="[2001:db8:cafe::17]:4711";proto=https"#]);
        assert_eq!(t.client_of(ip("10.0.0.1"), &h), ip("2001:db8:cafe::17"));
        let h = headers("forwarded", &["proto=https;For=\"198.51.100.17:8080\";by=10.0.0.1"]);
        assert_eq!(t.client_of(ip("fd00::1"), &h), ip("198.51.100.17"));
        let h = headers("forwarded", &["for=_hidden"]);
        assert_eq!(t.client_of(ip("10.0.0.1"), &h), ip("10.0.0.1"));
    }

    #[test]
    fn ipv4_mapped_peers_match_ipv4_networks() {
        let t = TrustedProxies::parse("127.0.0.1", ForwardedHeader::XForwardedFor).unwrap();
        let h = headers("x-forwarded-for", &["203.0.113.5"]);
        assert_eq!(t.client_of(ip("::ffff:127.0.0.1"), &h), ip("203.0.113.5"));
    }

    #[test]
    fn bad_entries_are_named() {
        let e = TrustedProxies::parse("10.0.0.0/8, 10.0.0/33", ForwardedHeader::XForwardedFor).unwrap_err();
        assert!(e.to_string().contains("\"10.0.0/33\""), "{e}");
    }
}
