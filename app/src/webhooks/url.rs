//! Which endpoints Tollgate will call: http(s) URLs only, and — unless an admin allows them —
//! never an address on loopback or a private network (so a webhook cannot be aimed at the
//! server's own neighbours). The address is checked after the name is resolved, and the
//! delivery connects to the address that was checked.

use super::MAX_URL_CHARS;
use std::net::IpAddr;

/// The URL as typed, parsed, or the message the form shows next to the field.
pub fn check_url(text: &str) -> Result<url::Url, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("Enter the endpoint's URL, starting with https://.".into());
    }
    if text.chars().count() > MAX_URL_CHARS {
        return Err(format!("Use at most {MAX_URL_CHARS} characters."));
    }
    let parsed = url::Url::parse(text)
        .map_err(|_| "Enter a whole URL, such as https://example.com/hooks.".to_owned())?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err("Only http:// and https:// endpoints can be called.".into());
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err("The URL needs a host name, such as example.com.".into());
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(
            "Leave the user name and password out of the URL: the signature proves who is calling.".into(),
        );
    }
    Ok(parsed)
}

/// The address written in a URL (`http://127.0.0.1/…`, `http://[::1]/…`), if it names one
/// rather than a host name.
pub fn literal_address(url: &url::Url) -> Option<IpAddr> {
    match url.host()? {
        url::Host::Ipv4(ip) => Some(IpAddr::V4(ip)),
        url::Host::Ipv6(ip) => Some(IpAddr::V6(ip)),
        url::Host::Domain(_) => None,
    }
}

/// Whether a delivery may connect to `ip`: any public address; loopback, private, link-local,
/// shared (CGNAT), unique-local and unspecified ones only when `allow_private`.
pub fn address_allowed(ip: IpAddr, allow_private: bool) -> bool {
    if allow_private {
        return true;
    }
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || a == 0
                || (a == 100 && (64..128).contains(&b)))
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return address_allowed(IpAddr::V4(v4), false);
            }
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_whole_http_urls_without_credentials_are_taken() {
        assert!(check_url("https://hooks.example.com/tollgate").is_ok());
        assert!(check_url(" http://127.0.0.1:9000/in ").is_ok());
        assert!(check_url("").is_err());
        assert!(check_url("ftp://example.com/").is_err());
        assert!(check_url("file:///etc/passwd").is_err());
        assert!(check_url("example.com/hooks").is_err());
        assert!(check_url("https://user:secret@example.com/").is_err());
        assert!(check_url(&format!("https://example.com/{}", "a".repeat(2000))).is_err());
    }

    #[test]
    fn an_address_written_in_the_url_is_found_and_a_name_is_not() {
        let address = |text: &str| literal_address(&check_url(text).expect("a URL"));
        assert_eq!(
            address("http://127.0.0.1:9000/hook"),
            Some("127.0.0.1".parse().expect("ip"))
        );
        assert_eq!(address("https://[::1]/hook"), Some("::1".parse().expect("ip")));
        assert_eq!(address("https://hooks.example.com/"), None);
    }

    #[test]
    fn loopback_and_private_addresses_are_refused_unless_allowed() {
        for refused in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "::1",
            "fc00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::",
        ] {
            let ip: IpAddr = refused.parse().expect("an address");
            assert!(!address_allowed(ip, false), "{refused} should be refused");
            assert!(address_allowed(ip, true), "{refused} allowed by the setting");
        }
        for public in ["93.184.216.34", "8.8.8.8", "2606:4700::1111", "100.128.0.1"] {
            assert!(
                address_allowed(public.parse().expect("an address"), false),
                "{public}"
            );
        }
    }
}
