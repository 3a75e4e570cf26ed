//! Login IP ranges: the profile setting that refuses logins from other addresses.
//!
//! A Salesforce profile can list "Login IP Ranges"; a login from outside them is refused, and
//! for the JWT bearer flow the token endpoint answers `invalid_grant` / `ip restricted`
//! (unless the app's IP relaxation policy is "Relax IP restrictions"). Salesforce writes a
//! range as a start and an end address; the emulator also takes CIDR blocks and single
//! addresses, since that is how egress addresses are usually written down.
//!
//! The emulator listens on loopback, so every caller is `127.0.0.1`; a request may say which
//! egress address it plays with an `X-Forwarded-For` header (the first address counts).

use std::net::IpAddr;

/// An inclusive range of addresses of one family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct IpRange {
    start: u128,
    end: u128,
    v6: bool,
}

impl IpRange {
    /// Parses `10.0.0.0/8`, `203.0.113.7`, `198.51.100.1-198.51.100.9` or the IPv6 forms.
    pub(crate) fn parse(text: &str) -> Result<Self, &'static str> {
        let text = text.trim();
        if let Some((start, end)) = text.split_once('-') {
            let (start, v6) = parse_addr(start.trim())?;
            let (end, end_v6) = parse_addr(end.trim())?;
            if v6 != end_v6 {
                return Err("start and end are not the same address family");
            }
            if end < start {
                return Err("the end address is before the start address");
            }
            return Ok(Self { start, end, v6 });
        }
        if let Some((addr, bits)) = text.split_once('/') {
            let (addr, v6) = parse_addr(addr.trim())?;
            let width: u32 = if v6 { 128 } else { 32 };
            let bits: u32 = bits
                .trim()
                .parse()
                .ok()
                .filter(|b| *b <= width)
                .ok_or("the prefix length is not a number within the address width")?;
            let host_bits = width - bits;
            let mask = if host_bits >= 128 {
                u128::MAX
            } else {
                (1u128 << host_bits) - 1
            };
            let start = addr & !mask;
            return Ok(Self {
                start,
                end: start | mask,
                v6,
            });
        }
        let (addr, v6) = parse_addr(text)?;
        Ok(Self {
            start: addr,
            end: addr,
            v6,
        })
    }

    /// Whether `ip` is inside the range. IPv4-mapped IPv6 addresses count as IPv4.
    pub(crate) fn contains(&self, ip: IpAddr) -> bool {
        let (value, v6) = addr_value(ip);
        v6 == self.v6 && (self.start..=self.end).contains(&value)
    }
}

fn parse_addr(text: &str) -> Result<(u128, bool), &'static str> {
    let ip: IpAddr = text
        .parse()
        .map_err(|_| "not an IPv4 or IPv6 address, CIDR block (10.0.0.0/8) or start-end range")?;
    Ok(addr_value(ip))
}

fn addr_value(ip: IpAddr) -> (u128, bool) {
    match ip {
        IpAddr::V4(v4) => (u128::from(u32::from(v4)), false),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => (u128::from(u32::from(v4)), false),
            None => (u128::from(v6), true),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn forms() {
        let cidr = IpRange::parse("10.0.0.0/8").unwrap();
        assert!(cidr.contains(ip("10.255.1.2")));
        assert!(!cidr.contains(ip("11.0.0.0")));
        assert!(!cidr.contains(ip("127.0.0.1")));
        let one = IpRange::parse(" 203.0.113.7 ").unwrap();
        assert!(one.contains(ip("203.0.113.7")));
        assert!(!one.contains(ip("203.0.113.8")));
        let span = IpRange::parse("198.51.100.1-198.51.100.9").unwrap();
        assert!(span.contains(ip("198.51.100.9")));
        assert!(!span.contains(ip("198.51.100.10")));
        let all = IpRange::parse("0.0.0.0/0").unwrap();
        assert!(all.contains(ip("127.0.0.1")));
        assert!(all.contains(ip("::ffff:127.0.0.1")), "mapped counts as v4");
        let v6 = IpRange::parse("2001:db8::/32").unwrap();
        assert!(v6.contains(ip("2001:db8::1")));
        assert!(!v6.contains(ip("10.0.0.1")));
        assert!(IpRange::parse("::/0").unwrap().contains(ip("::1")));
    }

    #[test]
    fn mistakes() {
        for bad in [
            "",
            "10.0.0",
            "10.0.0.0/33",
            "10.0.0.0/x",
            "10.0.0.9-10.0.0.1",
            "10.0.0.1-::1",
            "example.com",
        ] {
            assert!(IpRange::parse(bad).is_err(), "{bad}");
        }
    }
}
