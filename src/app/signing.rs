//! Signed tokens: HMAC-SHA256 over a message with the instance's secret key.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::config::SecretKey;

type HmacSha256 = Hmac<Sha256>;

/// Signs `message`, returning `message.signature` (hex).
pub fn sign(key: &SecretKey, message: &str) -> String {
    format!("{message}.{}", hex::encode(mac(key, message)))
}

/// Returns the message when the signature is valid (checked in constant time).
pub fn verify<'t>(key: &SecretKey, token: &'t str) -> Option<&'t str> {
    let (message, signature) = token.rsplit_once('.')?;
    let signature = hex::decode(signature).ok()?;
    let mut check = HmacSha256::new_from_slice(key.expose()).ok()?;
    check.update(message.as_bytes());
    check.verify_slice(&signature).ok()?;
    Some(message)
}

fn mac(key: &SecretKey, message: &str) -> Vec<u8> {
    let mut mac = HmacSha256::new_from_slice(key.expose()).expect("HMAC accepts any key length");
    mac.update(message.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> SecretKey {
        SecretKey::new("k".repeat(40))
    }

    #[test]
    fn a_signed_token_verifies() {
        let token = sign(&key(), "1700000000000");
        assert_eq!(verify(&key(), &token), Some("1700000000000"));
    }

    #[test]
    fn a_changed_message_or_other_key_fails() {
        let token = sign(&key(), "1700000000000");
        let forged = token.replacen("17", "18", 1);
        assert_eq!(verify(&key(), &forged), None);
        assert_eq!(verify(&SecretKey::new("o".repeat(40)), &token), None);
        assert_eq!(verify(&key(), "no-signature"), None);
    }
}
