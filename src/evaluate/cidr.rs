//! Whether a security-group source range opens a port to the internet at large.
//!
//! Checking only for `0.0.0.0/0` and `::/0` (as most peers do) is easy to evade: the two
//! rules `0.0.0.0/1` and `128.0.0.0/1` open a port to exactly the same hosts. A range
//! counts as *public* here when it is at least as wide as a whole legacy allocation
//! (IPv4 `/8`, IPv6 `/32`, an ISP's allocation) and reaches globally routable addresses.
//! A single office address or a partner's `/24` is a restriction to known hosts and is
//! not public; `10.0.0.0/8` is wide but private.

use std::net::{Ipv4Addr, Ipv6Addr};

/// The widest IPv4 prefix that still counts as "known hosts".
const IPV4_PUBLIC_MAX_PREFIX: u8 = 8;
/// The widest IPv6 prefix that still counts as "known hosts".
const IPV6_PUBLIC_MAX_PREFIX: u8 = 32;

/// IPv4 blocks wider than a /8 or equal to one that hold no globally routable address
/// (RFC 6890): "this network", private, loopback, multicast, reserved.
const IPV4_NOT_GLOBAL: &[(Ipv4Addr, u8)] = &[
    (Ipv4Addr::new(0, 0, 0, 0), 8),
    (Ipv4Addr::new(10, 0, 0, 0), 8),
    (Ipv4Addr::new(127, 0, 0, 0), 8),
    (Ipv4Addr::new(224, 0, 0, 0), 4),
    (Ipv4Addr::new(240, 0, 0, 0), 4),
];

/// IPv6 global unicast space (RFC 4291): everything routable on the internet today.
const IPV6_GLOBAL_UNICAST: (Ipv6Addr, u8) = (Ipv6Addr::new(0x2000, 0, 0, 0, 0, 0, 0, 0), 3);

/// `true` when `cidr` is public in the sense of the module docs; an error names what is
/// malformed (the rule is then ERROR, never PASS).
pub fn is_public_cidr(cidr: &str) -> Result<bool, String> {
    let (address, prefix) = cidr
        .split_once('/')
        .ok_or_else(|| format!("`{cidr}` is not a CIDR (no `/prefix`)"))?;
    let prefix: u8 = prefix
        .parse()
        .map_err(|_| format!("`{cidr}` has no valid prefix length"))?;
    if let Ok(v4) = address.parse::<Ipv4Addr>() {
        if prefix > 32 {
            return Err(format!("`{cidr}`: an IPv4 prefix is at most 32"));
        }
        let network = (u32::from(v4), prefix);
        let private = IPV4_NOT_GLOBAL
            .iter()
            .any(|&(block, len)| contains_v4((u32::from(block), len), network));
        return Ok(prefix <= IPV4_PUBLIC_MAX_PREFIX && !private);
    }
    if let Ok(v6) = address.parse::<Ipv6Addr>() {
        if prefix > 128 {
            return Err(format!("`{cidr}`: an IPv6 prefix is at most 128"));
        }
        let (global, global_len) = (u128::from(IPV6_GLOBAL_UNICAST.0), IPV6_GLOBAL_UNICAST.1);
        let network = (u128::from(v6), prefix);
        // Reaches global unicast space: contains it, or lies inside it.
        let reaches_global = contains_v6(network, (global, global_len))
            || contains_v6((global, global_len), network);
        return Ok(prefix <= IPV6_PUBLIC_MAX_PREFIX && reaches_global);
    }
    Err(format!("`{cidr}` is not an IPv4 or IPv6 address range"))
}

fn mask_v4(len: u8) -> u32 {
    u32::MAX.checked_shl(32 - u32::from(len)).unwrap_or(0)
}

fn mask_v6(len: u8) -> u128 {
    u128::MAX.checked_shl(128 - u32::from(len)).unwrap_or(0)
}

/// Whether `outer` contains every address of `inner`.
fn contains_v4(outer: (u32, u8), inner: (u32, u8)) -> bool {
    outer.1 <= inner.1 && (outer.0 ^ inner.0) & mask_v4(outer.1) == 0
}

fn contains_v6(outer: (u128, u8), inner: (u128, u8)) -> bool {
    outer.1 <= inner.1 && (outer.0 ^ inner.0) & mask_v6(outer.1) == 0
}

#[cfg(test)]
mod tests {
    use super::is_public_cidr;

    fn public(cidr: &str) -> bool {
        is_public_cidr(cidr).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn the_whole_internet_is_public() {
        assert!(public("0.0.0.0/0"));
        assert!(public("::/0"));
    }

    #[test]
    fn the_internet_split_into_halves_is_still_public() {
        assert!(public("0.0.0.0/1"));
        assert!(public("128.0.0.0/1"));
        assert!(public("::/1"));
        assert!(public("2000::/3"));
        assert!(public("52.0.0.0/8"));
        assert!(public("2600::/16"));
    }

    #[test]
    fn known_hosts_and_private_ranges_are_not_public() {
        for cidr in [
            "203.0.113.7/32",
            "198.51.100.0/24",
            "52.0.0.0/9",
            "10.0.0.0/8",
            "172.16.0.0/12",
            "192.168.0.0/16",
            "127.0.0.0/8",
            "224.0.0.0/4",
            "2001:db8::/48",
            "fc00::/7",
            "fe80::/10",
            "8000::/1",
        ] {
            assert!(!public(cidr), "{cidr}");
        }
    }

    #[test]
    fn malformed_ranges_are_errors_naming_the_value() {
        for cidr in ["0.0.0.0", "0.0.0.0/33", "::/129", "banana/8", "1.2.3.4/x"] {
            let error = is_public_cidr(cidr).expect_err(cidr);
            assert!(error.contains(cidr), "{error}");
        }
    }
}
