//! Strict parsing of `application/x-www-form-urlencoded` bodies.
//!
//! Repeated keys are kept (multiple choice sends several values), and bytes
//! that are not UTF-8 are refused rather than silently replaced.

use percent_encoding::percent_decode;

/// A parsed form body: pairs in the order sent.
#[derive(Debug, Default, Clone)]
pub struct FormBody {
    pairs: Vec<(String, String)>,
}

/// The body could not be read as a form.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FormBodyError {
    #[error("the form data is not valid UTF-8 text")]
    NotUtf8,
}

impl FormBody {
    pub fn parse(body: &[u8]) -> Result<FormBody, FormBodyError> {
        let mut pairs = Vec::new();
        for part in body.split(|b| *b == b'&').filter(|p| !p.is_empty()) {
            let (key, value) = match part.iter().position(|b| *b == b'=') {
                Some(i) => (&part[..i], &part[i + 1..]),
                None => (part, &[][..]),
            };
            pairs.push((decode(key)?, decode(value)?));
        }
        Ok(FormBody { pairs })
    }

    /// A body made of these pairs (a multipart upload read field by field).
    pub fn from_pairs(pairs: Vec<(String, String)>) -> FormBody {
        FormBody { pairs }
    }

    /// The first value for `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    /// Every value for `key`, in order.
    pub fn all(&self, key: &str) -> Vec<String> {
        self.pairs.iter().filter(|(k, _)| k == key).map(|(_, v)| v.clone()).collect()
    }
}

fn decode(raw: &[u8]) -> Result<String, FormBodyError> {
    let spaced: Vec<u8> = raw.iter().map(|b| if *b == b'+' { b' ' } else { *b }).collect();
    let bytes: Vec<u8> = percent_decode(&spaced).collect();
    String::from_utf8(bytes).map_err(|_| FormBodyError::NotUtf8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_keys_are_kept_in_order() {
        let body = FormBody::parse(b"answer=a&answer=b+c&question=q%5F1").unwrap();
        assert_eq!(body.all("answer"), vec!["a", "b c"]);
        assert_eq!(body.get("question"), Some("q_1"));
    }

    #[test]
    fn invalid_utf8_is_refused() {
        assert_eq!(FormBody::parse(b"answer=%FF%FE").unwrap_err(), FormBodyError::NotUtf8);
    }
}
