//! Reading iCalendar content lines (RFC 5545 section 3.1): unfolding,
//! then `NAME;PARAM=value;PARAM="quoted":value`. Names and parameter
//! names are case-insensitive and kept upper-case here.

/// One unfolded content line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ContentLine {
    /// Property name, upper-case.
    pub name: String,
    /// Parameters in order, names upper-case, values unquoted.
    pub params: Vec<(String, String)>,
    /// Everything after the first colon outside quotes.
    pub value: String,
}

impl ContentLine {
    /// The first value of a parameter.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params.iter().find(|(key, _)| key == name).map(|(_, value)| value.as_str())
    }
}

/// Joins folded lines (a line starting with a space or tab continues the
/// previous one) and accepts CRLF or bare LF endings.
pub(crate) fn unfold(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for raw in text.split('\n') {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        match (raw.strip_prefix([' ', '\t']), lines.last_mut()) {
            (Some(rest), Some(last)) => last.push_str(rest),
            _ if raw.trim().is_empty() => {}
            _ => lines.push(raw.to_owned()),
        }
    }
    lines
}

/// Splits one unfolded line; `None` when it has no colon or no name.
pub(crate) fn parse_line(line: &str) -> Option<ContentLine> {
    let name_end = line.find([';', ':'])?;
    let name = line[..name_end].trim().to_ascii_uppercase();
    if name.is_empty() {
        return None;
    }
    let mut params = Vec::new();
    let mut rest = &line[name_end..];
    while let Some(after) = rest.strip_prefix(';') {
        let (param, remaining) = split_param(after)?;
        params.push(param);
        rest = remaining;
    }
    let value = rest.strip_prefix(':')?.to_owned();
    Some(ContentLine { name, params, value })
}

/// One `NAME=value` parameter (the value maybe quoted, maybe a list), and
/// what follows it.
fn split_param(text: &str) -> Option<((String, String), &str)> {
    let equals = text.find('=')?;
    let key = text[..equals].trim().to_ascii_uppercase();
    let mut value = String::new();
    let mut quoted = false;
    let offset = equals + 1;
    for (index, c) in text[offset..].char_indices() {
        match c {
            '"' => quoted = !quoted,
            ';' | ':' if !quoted => return Some(((key, value), &text[offset + index..])),
            c => value.push(c),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folded_lines_are_joined_whatever_the_line_ending() {
        let text = "BEGIN:VEVENT\r\nSUMMARY:Long\r\n  title\nDESCRIPTION:a\n\tb\r\n\r\nEND:VEVENT";
        assert_eq!(unfold(text), ["BEGIN:VEVENT", "SUMMARY:Long title", "DESCRIPTION:ab", "END:VEVENT"]);
    }

    #[test]
    fn parameters_may_be_quoted_and_hold_colons() {
        let line = parse_line("dtstart;TZID=\"Europe/Berlin\";X-NOTE=\"a:b;c\":20261118T100000").unwrap();
        assert_eq!(line.name, "DTSTART");
        assert_eq!(line.param("TZID"), Some("Europe/Berlin"));
        assert_eq!(line.param("X-NOTE"), Some("a:b;c"));
        assert_eq!(line.value, "20261118T100000");
        let url = parse_line("URL:https://example.com/a?b=c").unwrap();
        assert_eq!(url.value, "https://example.com/a?b=c");
        assert_eq!(parse_line("no colon here"), None);
        assert_eq!(parse_line(":value without a name"), None);
    }
}
