//! Checks and clean-up of single typed values: email addresses, phone
//! numbers, numbers, web addresses and free text. Each returns the cleaned
//! value or a message for the prospect.

use regex::Regex;

use super::definition::Validation;
use super::serde_helpers::format_number;

const EMAIL_MESSAGE: &str = "Enter an email address like name@company.com";
const URL_MESSAGE: &str = "Enter a web address like https://example.com";

/// A lowercased email address with one @ and a domain containing a dot.
pub(crate) fn email(value: &str) -> Result<String, String> {
    let lowered = value.to_lowercase();
    let (local, domain) = lowered.split_once('@').ok_or(EMAIL_MESSAGE)?;
    let sane = lowered.chars().count() <= 254
        && (1..=64).contains(&local.len())
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local.chars().all(is_email_local_char)
        && is_host_name(domain);
    if sane { Ok(lowered) } else { Err(EMAIL_MESSAGE.to_owned()) }
}

fn is_email_local_char(c: char) -> bool {
    !c.is_whitespace() && !c.is_control() && !"@<>()[]\\,;:\"".contains(c)
}

/// A domain name with at least two labels and a top-level part of 2+ letters.
fn is_host_name(host: &str) -> bool {
    let labels: Vec<&str> = host.split('.').collect();
    let label_ok = |label: &&str| {
        !label.is_empty()
            && label.len() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label.chars().all(|c| c.is_alphanumeric() || c == '-')
    };
    let top_level = labels.last().copied().unwrap_or_default();
    host.len() <= 253
        && labels.len() >= 2
        && labels.iter().all(label_ok)
        && top_level.chars().count() >= 2
        && !top_level.chars().all(|c| c.is_ascii_digit())
}

/// Longest phone number accepted, spaces and signs included.
const PHONE_MAX_CHARS: usize = 40;

/// A phone number of digits, spaces and + - ( ) . with 6 to 20 digits.
pub(crate) fn phone(value: &str) -> Result<String, String> {
    if value.chars().count() > PHONE_MAX_CHARS {
        return Err(format!("A phone number has at most {PHONE_MAX_CHARS} characters"));
    }
    let allowed = |c: char| c.is_ascii_digit() || " +-().".contains(c);
    if !value.chars().all(allowed) {
        return Err("Enter a phone number using only digits, spaces and + - ( ) .".to_owned());
    }
    let digits = value.chars().filter(char::is_ascii_digit).count();
    if !(6..=20).contains(&digits) {
        return Err("A phone number has between 6 and 20 digits".to_owned());
    }
    Ok(value.to_owned())
}

/// A finite number within the question's min and max.
pub(crate) fn number(value: &str, validation: &Validation) -> Result<f64, String> {
    let number = value.parse::<f64>().ok().filter(|n| n.is_finite()).ok_or("Enter a number, like 25")?;
    if let Some(min) = validation.min.filter(|min| number < *min) {
        return Err(format!("Enter a number of at least {}", format_number(min)));
    }
    if let Some(max) = validation.max.filter(|max| number > *max) {
        return Err(format!("Enter a number no bigger than {}", format_number(max)));
    }
    Ok(number)
}

/// An http(s) web address with a host; a bare "acme.com" gets "https://".
pub(crate) fn url(value: &str) -> Result<String, String> {
    let invalid = || URL_MESSAGE.to_owned();
    if value.len() > 2048 || value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(invalid());
    }
    let (scheme, rest) = match value.split_once("://") {
        Some((scheme, rest)) => (scheme.to_lowercase(), rest),
        None => ("https".to_owned(), value),
    };
    if scheme != "http" && scheme != "https" {
        return Err(invalid());
    }
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    let host = host_without_port(authority).ok_or_else(invalid)?;
    if !is_host_name(&host.to_lowercase()) {
        return Err(invalid());
    }
    Ok(format!("{scheme}://{}{path}", authority.to_lowercase()))
}

/// The host of "host" or "host:port"; `None` for credentials or a bad port.
fn host_without_port(authority: &str) -> Option<&str> {
    if authority.contains('@') {
        return None;
    }
    match authority.split_once(':') {
        Some((host, port)) => {
            let port_ok = !port.is_empty() && port.len() <= 5 && port.bytes().all(|b| b.is_ascii_digit());
            port_ok.then_some(host)
        }
        None => Some(authority),
    }
}

/// Free text without control characters (newline and tab allowed), within
/// the length limits; `default_max` applies when the question sets none.
pub(crate) fn text(value: &str, validation: &Validation, default_max: u32) -> Result<String, String> {
    let cleaned = value.replace("\r\n", "\n");
    if cleaned.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err("Remove the special (control) characters from the answer".to_owned());
    }
    let length = cleaned.chars().count();
    let max = validation.max_length.unwrap_or(default_max) as usize;
    if length > max {
        return Err(format!("Keep the answer to {max} characters or fewer"));
    }
    if let Some(min) = validation.min_length.filter(|min| length < *min as usize) {
        return Err(format!("Write at least {min} characters"));
    }
    Ok(cleaned)
}

/// The whole answer must match the question's pattern, when it has one.
pub(crate) fn check_pattern(value: &str, pattern: Option<&Regex>, validation: &Validation) -> Result<(), String> {
    match pattern {
        Some(regex) if !regex.is_match(value) => Err(validation
            .pattern_message
            .clone()
            .unwrap_or_else(|| "The answer is not in the expected format".to_owned())),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_is_lowercased_and_checked() {
        assert_eq!(email("Ann.Lee@Acme.COM"), Ok("ann.lee@acme.com".to_owned()));
        assert_eq!(email("a+tag@mail.acme.co.uk").as_deref(), Ok("a+tag@mail.acme.co.uk"));
        let long = format!("{}@acme.com", "a".repeat(250));
        for bad in [
            "ann",
            "ann@",
            "@acme.com",
            "ann@acme",
            "a@b@acme.com",
            "a b@acme.com",
            "ann@acme..com",
            "ann@-acme.com",
            "ann@acme.c",
            &long,
        ] {
            assert_eq!(email(bad), Err(EMAIL_MESSAGE.to_owned()), "{bad}");
        }
    }

    #[test]
    fn phone_allows_common_punctuation_and_counts_digits() {
        assert!(phone("+49 (30) 123-456.78").is_ok());
        assert!(phone("12345").unwrap_err().contains("between 6 and 20"));
        assert!(phone("123456789012345678901").is_err());
        assert!(phone("call 123456").unwrap_err().contains("only digits"));
    }

    #[test]
    fn number_respects_min_and_max() {
        let validation = Validation { min: Some(1.0), max: Some(500.0), ..Validation::default() };
        assert_eq!(number("42.5", &validation), Ok(42.5));
        assert_eq!(number("0", &validation), Err("Enter a number of at least 1".to_owned()));
        assert_eq!(number("501", &validation), Err("Enter a number no bigger than 500".to_owned()));
        for bad in ["ten", "inf", "NaN", "1,5"] {
            assert_eq!(number(bad, &Validation::default()), Err("Enter a number, like 25".to_owned()));
        }
    }

    #[test]
    fn url_needs_http_and_a_host() {
        assert_eq!(url("acme.com").as_deref(), Ok("https://acme.com"));
        assert_eq!(url("HTTP://Acme.com:8080/Path?q=1").as_deref(), Ok("http://acme.com:8080/Path?q=1"));
        for bad in [
            "ftp://acme.com",
            "https://",
            "https://acme",
            "acme com",
            "https://user@acme.com",
            "javascript:alert(1)",
            "https://acme.com:99x",
        ] {
            assert!(url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn text_limits_and_control_characters() {
        let none = Validation::default();
        assert_eq!(text("line one\r\nline two\tend", &none, 200).as_deref(), Ok("line one\nline two\tend"));
        assert!(text("bell\u{7}", &none, 200).unwrap_err().contains("control"));
        assert!(text(&"x".repeat(201), &none, 200).unwrap_err().contains("200 characters"));
        assert!(text(&"é".repeat(200), &none, 200).is_ok());
        let bounded = Validation { min_length: Some(3), max_length: Some(5), ..Validation::default() };
        assert!(text("ab", &bounded, 200).unwrap_err().contains("at least 3"));
        assert!(text("abcdef", &bounded, 200).unwrap_err().contains("5 characters"));
    }
}
