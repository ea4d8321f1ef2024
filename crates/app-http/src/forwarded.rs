//! Where a request comes from. `X-Forwarded-For`, `-Proto` and `-Host` are believed only when
//! the connection comes from a configured trusted proxy (ADR 0012); anyone else could write them.

use actix_web::http::header::{self, HeaderMap, HeaderName};
use actix_web::{HttpMessage, HttpRequest};
use ipnet::IpNet;
use std::net::{IpAddr, SocketAddr};

const FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");
const FORWARDED_PROTO: HeaderName = HeaderName::from_static("x-forwarded-proto");
const FORWARDED_HOST: HeaderName = HeaderName::from_static("x-forwarded-host");

/// What the request tells of its client, as far as the peer is trusted to tell it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestOrigin {
    /// The peer, or behind trusted proxies the rightmost forwarded address they do not cover.
    pub client: Option<IpAddr>,
    /// Whether the client spoke TLS (to us, or to the trusted proxy that forwarded it).
    pub https: bool,
    /// The host the client addressed.
    pub host: Option<String>,
}

fn covers(proxies: &[IpNet], ip: IpAddr) -> bool {
    let ip = ip.to_canonical();
    proxies.iter().any(|range| range.contains(&ip))
}

/// Reads a request's origin: the connection's own view, unless the peer is one of `proxies`
/// (`http.trusted_proxies`).
pub fn origin(
    proxies: &[IpNet],
    headers: &HeaderMap,
    peer: Option<IpAddr>,
    tls: bool,
) -> RequestOrigin {
    let host = entries(headers, &header::HOST).last().map(str::to_owned);
    let direct = RequestOrigin {
        client: peer.map(|p| p.to_canonical()),
        https: tls,
        host,
    };
    if !peer.is_some_and(|p| covers(proxies, p)) {
        return direct;
    }
    let chain: Vec<IpAddr> = entries(headers, &FORWARDED_FOR)
        .filter_map(parse_address)
        .collect();
    let client = chain
        .iter()
        .rev()
        .find(|ip| !covers(proxies, **ip))
        .or(chain.first())
        .copied()
        .or(direct.client);
    let https = entries(headers, &FORWARDED_PROTO)
        .last()
        .map_or(tls, |proto| proto.eq_ignore_ascii_case("https"));
    let host = entries(headers, &FORWARDED_HOST)
        .last()
        .map(str::to_owned)
        .or(direct.host);
    RequestOrigin {
        client,
        https,
        host,
    }
}

/// The origin the request layer read, or (outside it) the connection's own view.
pub fn origin_of(req: &HttpRequest) -> RequestOrigin {
    req.extensions()
        .get::<RequestOrigin>()
        .cloned()
        .unwrap_or_else(|| {
            origin(
                &[],
                req.headers(),
                req.peer_addr().map(|a| a.ip()),
                req.app_config().secure(),
            )
        })
}

/// The comma-separated entries of every `name` header, in the order they were added.
fn entries<'a>(headers: &'a HeaderMap, name: &HeaderName) -> impl Iterator<Item = &'a str> {
    headers
        .get_all(name)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|e| !e.is_empty())
}

/// An address as proxies write it (`203.0.113.7`, `203.0.113.7:4711`, `[2001:db8::1]:443`);
/// anything else is dropped.
fn parse_address(raw: &str) -> Option<IpAddr> {
    raw.parse::<IpAddr>()
        .or_else(|_| raw.parse::<SocketAddr>().map(|s| s.ip()))
        .ok()
        .map(|ip| ip.to_canonical())
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::http::header::HeaderValue;

    fn proxies(ranges: &[&str]) -> Vec<IpNet> {
        ranges.iter().filter_map(|r| r.parse().ok()).collect()
    }

    fn headers(pairs: &[(&HeaderName, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            if let Ok(v) = HeaderValue::from_str(value) {
                map.append((*name).clone(), v);
            }
        }
        map
    }

    fn ip(raw: &str) -> Option<IpAddr> {
        raw.parse().ok()
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_forwards() {
        let h = headers(&[
            (&FORWARDED_FOR, "1.2.3.4"),
            (&FORWARDED_PROTO, "https"),
            (&FORWARDED_HOST, "evil.example"),
            (&header::HOST, "app.example"),
        ]);
        let o = origin(&proxies(&["10.0.0.0/8"]), &h, ip("192.0.2.9"), false);
        assert_eq!(o.client, ip("192.0.2.9"));
        assert!(!o.https);
        assert_eq!(o.host.as_deref(), Some("app.example"));
    }

    #[test]
    fn behind_trusted_proxies_the_rightmost_untrusted_address_is_the_client() {
        let h = headers(&[
            (&FORWARDED_FOR, "6.6.6.6, not-an-ip"),
            (&FORWARDED_FOR, "198.51.100.4:5000, 10.1.2.3"),
            (&FORWARDED_PROTO, "https"),
            (&FORWARDED_HOST, "app.example"),
        ]);
        let trusted = proxies(&["10.0.0.0/8", "127.0.0.1/32"]);
        let o = origin(&trusted, &h, ip("127.0.0.1"), false);
        assert_eq!(o.client, ip("198.51.100.4"), "not the forged leftmost one");
        assert!(o.https);
        assert_eq!(o.host.as_deref(), Some("app.example"));
    }

    #[test]
    fn a_trusted_peer_forwarding_nothing_is_taken_as_it_is() {
        let o = origin(&proxies(&["::1/128"]), &HeaderMap::new(), ip("::1"), true);
        assert_eq!(o.client, ip("::1"));
        assert!(o.https);
        let mapped = origin(
            &proxies(&["127.0.0.0/8"]),
            &headers(&[(&FORWARDED_FOR, "[2001:db8::7]:443")]),
            ip("::ffff:127.0.0.1"),
            false,
        );
        assert_eq!(mapped.client, ip("2001:db8::7"));
    }
}
