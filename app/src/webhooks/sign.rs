//! Standard Webhooks signing: `v1,` and the base64 HMAC-SHA256, keyed by the endpoint's
//! secret, of `<webhook-id>.<webhook-timestamp>.<body>`. Secrets are `whsec_` and 24 random
//! bytes in base64, as the specification's libraries make them.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

const PREFIX: &str = "whsec_";

/// A new endpoint secret.
pub fn new_secret() -> String {
    use rand::RngCore;
    let mut key = [0u8; 24];
    rand::rngs::OsRng.fill_bytes(&mut key);
    format!("{PREFIX}{}", STANDARD.encode(key))
}

/// The `webhook-signature` header's value for one message, or `None` for a secret that is not
/// `whsec_` and base64.
pub fn signature(secret: &str, id: &str, timestamp: i64, body: &str) -> Option<String> {
    let key = STANDARD
        .decode(secret.strip_prefix(PREFIX).unwrap_or(secret))
        .ok()?;
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).ok()?;
    mac.update(format!("{id}.{timestamp}.{body}").as_bytes());
    Some(format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes())))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example in the Standard Webhooks specification.
    #[test]
    fn the_specifications_example_signs_to_its_signature() {
        let signed = signature(
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1_614_265_330,
            r#"{"test": 2432232314}"#,
        );
        assert_eq!(
            signed.as_deref(),
            Some("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        );
    }

    #[test]
    fn a_new_secret_is_prefixed_base64_of_24_bytes_and_signs() {
        let secret = new_secret();
        let key = STANDARD
            .decode(secret.strip_prefix(PREFIX).expect("prefixed"))
            .expect("base64");
        assert_eq!(key.len(), 24);
        assert_ne!(secret, new_secret());
        assert!(signature(&secret, "msg_1", 1, "{}").is_some());
        assert_eq!(signature("whsec_not base64!", "msg_1", 1, "{}"), None);
    }
}
