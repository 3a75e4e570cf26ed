//! Host-name validation shared by endpoint and audience parsing.
//!
//! `http::Uri` accepts authorities such as `a[:]b` whose "host" is neither a DNS name nor an
//! IP literal (found by the `endpoint` fuzz target); a URL rebuilt from such a host does not
//! parse again. Hosts are therefore checked here against RFC 3986 §3.2.2 as Salesforce uses
//! it: a DNS name (ASCII letters, digits, `-`, `.`, and `_` seen in some internal names) or a
//! bracketed IPv6 literal. Internationalised names must be given in punycode.

/// Whether `host` (lower-cased, as `http::uri::Authority::host` returns it) is a DNS name,
/// an IPv4 address or a bracketed IPv6 literal.
pub(crate) fn is_valid_host(host: &str) -> bool {
    if let Some(inner) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return inner.parse::<std::net::Ipv6Addr>().is_ok();
    }
    !host.is_empty()
        && host.len() <= 253
        && host
            .split('.')
            .all(|label| !label.is_empty() && label.len() <= 63 && label.bytes().all(is_name_byte))
}

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

#[cfg(test)]
mod tests {
    use super::is_valid_host;

    #[test]
    fn names_and_literals() {
        for ok in [
            "login.salesforce.com",
            "acme--dev.sandbox.my.salesforce.com",
            "127.0.0.1",
            "localhost",
            "[::1]",
            "xn--bcher-kva.example",
        ] {
            assert!(is_valid_host(ok), "{ok}");
        }
        for bad in [
            "",
            "a[:]b",
            "3[:]",
            "[::1",
            "[zz]",
            "a..b",
            ".a",
            "a.",
            "a b",
            "ac[::1]m)e",
            "a%20b",
        ] {
            assert!(!is_valid_host(bad), "{bad}");
        }
    }
}
