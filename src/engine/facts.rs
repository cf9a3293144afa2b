//! Facts derived from answers: the email domain and its category (free mail,
//! disposable, academic, or a named list), job-title words, country lists,
//! and the lead fields filled by questions' `maps_to`.
//!
//! The built-in domain lists are compiled into the binary from `domains/`.

use std::collections::{BTreeMap, HashSet};
use std::sync::LazyLock;

use super::answer::Answers;
use super::definition::{FormDefinition, LeadField};

/// Definition list names that extend the built-in domain categories.
pub const FREE_MAIL_LIST: &str = "free_mail";
/// See [`FREE_MAIL_LIST`].
pub const DISPOSABLE_LIST: &str = "disposable";
/// See [`FREE_MAIL_LIST`].
pub const ACADEMIC_LIST: &str = "academic";

/// Member states of the European Union, as ISO 3166-1 alpha-2 codes.
const EU_COUNTRIES: &[&str] = &[
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV", "LT", "LU", "MT",
    "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
];

/// A list available to every form without defining it: `eu_countries`.
/// A definition's own list of the same name takes precedence.
pub fn builtin_list(name: &str) -> Option<&'static [&'static str]> {
    (name == "eu_countries").then_some(EU_COUNTRIES)
}

/// Looks a named list up in the definition, then among the built-ins.
pub(crate) fn named_list(def: &FormDefinition, name: &str) -> Option<Vec<String>> {
    def.lists
        .get(name)
        .cloned()
        .or_else(|| builtin_list(name).map(|items| items.iter().map(|item| (*item).to_owned()).collect()))
}

/// The part of an email address after the last '@', if there is one.
pub fn email_domain(email: &str) -> Option<&str> {
    let (_, domain) = email.trim().rsplit_once('@')?;
    (!domain.is_empty()).then_some(domain)
}

struct BuiltinDomains {
    free: HashSet<&'static str>,
    disposable: HashSet<&'static str>,
    academic: HashSet<&'static str>,
}

static BUILTIN: LazyLock<BuiltinDomains> = LazyLock::new(|| BuiltinDomains {
    free: list_lines(include_str!("domains/free_mail.txt")),
    disposable: list_lines(include_str!("domains/disposable.txt")),
    academic: list_lines(include_str!("domains/academic.txt")),
});

fn list_lines(text: &'static str) -> HashSet<&'static str> {
    text.lines().map(str::trim).filter(|line| !line.is_empty() && !line.starts_with('#')).collect()
}

/// Normalises a domain list entry: lowercase, without a leading '@'.
pub(crate) fn normalize_domain(entry: &str) -> String {
    entry.trim().trim_start_matches('@').to_lowercase()
}

/// True when the domain or one of its parent domains is in the set. An entry
/// starting with '.' is a suffix rule and matches any domain ending with it.
fn listed<S: std::borrow::Borrow<str> + Eq + std::hash::Hash>(domain: &str, set: &HashSet<S>) -> bool {
    let mut rest = domain;
    loop {
        if set.contains(rest) {
            return true;
        }
        match rest.find('.') {
            Some(dot) => {
                // The suffix rule form (".ac.uk") of the remaining parent.
                if set.contains(&rest[dot..]) {
                    return true;
                }
                rest = &rest[dot + 1..];
            }
            None => return false,
        }
    }
}

/// The domain categories of one form: the built-ins plus the form's own
/// `free_mail`, `disposable` and `academic` lists.
#[derive(Debug, Clone, Default)]
pub(crate) struct DomainCategories {
    free: HashSet<String>,
    disposable: HashSet<String>,
    academic: HashSet<String>,
}

impl DomainCategories {
    /// Collects the form's extra domain lists.
    pub(crate) fn for_form(def: &FormDefinition) -> Self {
        let extra = |name: &str| domain_set(def.lists.get(name).into_iter().flatten());
        Self { free: extra(FREE_MAIL_LIST), disposable: extra(DISPOSABLE_LIST), academic: extra(ACADEMIC_LIST) }
    }

    /// Free webmail such as gmail.com.
    pub(crate) fn is_free(&self, domain: &str) -> bool {
        listed(domain, &BUILTIN.free) || listed(domain, &self.free)
    }

    /// Throwaway inboxes such as mailinator.com.
    pub(crate) fn is_disposable(&self, domain: &str) -> bool {
        listed(domain, &BUILTIN.disposable) || listed(domain, &self.disposable)
    }

    /// Universities and schools, including subdomains and suffix rules.
    pub(crate) fn is_academic(&self, domain: &str) -> bool {
        listed(domain, &BUILTIN.academic) || listed(domain, &self.academic)
    }
}

/// A lowercase domain set from list entries.
pub(crate) fn domain_set<'a>(entries: impl IntoIterator<Item = &'a String>) -> HashSet<String> {
    entries.into_iter().map(|entry| normalize_domain(entry)).collect()
}

/// True when the domain, or a parent domain, is in the set.
pub(crate) fn domain_listed(domain: &str, set: &HashSet<String>) -> bool {
    listed(domain, set)
}

/// The company domain of an email address (lowercase), for grouping leads
/// into accounts; `None` for free-mail and disposable domains, which say
/// nothing about an employer, and for malformed addresses.
pub fn company_domain(email: &str) -> Option<String> {
    let domain = email_domain(email)?.trim().to_lowercase();
    let says_nothing = !domain.contains('.') || listed(&domain, &BUILTIN.free) || listed(&domain, &BUILTIN.disposable);
    (!says_nothing).then_some(domain)
}

/// Facts derived from the email, job title and country lead fields,
/// recomputed only when one of those fields changes.
#[derive(Debug, Clone, Default)]
pub(crate) struct DerivedFacts {
    /// Lowercase domain of the email address.
    pub email_domain: Option<String>,
    pub free_mail: bool,
    pub disposable: bool,
    pub academic: bool,
    /// Lowercase words of the job title.
    pub title_words: Vec<String>,
    /// Trimmed, lowercase country.
    pub country: Option<String>,
}

impl DerivedFacts {
    /// Recomputes what depends on `field` from its new value.
    pub(crate) fn update(&mut self, field: LeadField, value: Option<&str>, domains: &DomainCategories) {
        match field {
            LeadField::Email => {
                let domain = value.and_then(email_domain).map(|d| d.trim().to_lowercase());
                let check =
                    |test: fn(&DomainCategories, &str) -> bool| domain.as_deref().is_some_and(|d| test(domains, d));
                self.free_mail = check(DomainCategories::is_free);
                self.disposable = check(DomainCategories::is_disposable);
                self.academic = check(DomainCategories::is_academic);
                self.email_domain = domain;
            }
            LeadField::JobTitle => self.title_words = value.map(title_words).unwrap_or_default(),
            LeadField::Country => self.country = value.map(|c| c.trim().to_lowercase()),
            _ => {}
        }
    }
}

/// True for a free webmail domain on the built-in list.
pub fn is_free_mail_domain(domain: &str) -> bool {
    listed(&domain.to_lowercase(), &BUILTIN.free)
}

/// True for a disposable inbox domain on the built-in list.
pub fn is_disposable_domain(domain: &str) -> bool {
    listed(&domain.to_lowercase(), &BUILTIN.disposable)
}

/// True for an academic domain by the built-in list and suffix rules.
pub fn is_academic_domain(domain: &str) -> bool {
    listed(&domain.to_lowercase(), &BUILTIN.academic)
}

/// The lowercase words of a job title: "Co-Founder & CEO" -> [co, founder, ceo].
pub fn title_words(title: &str) -> Vec<String> {
    title
        .to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(str::to_owned)
        .collect()
}

/// True when the phrase's words appear one after another in the title words.
pub(crate) fn has_phrase(title_words: &[String], phrase: &[String]) -> bool {
    !phrase.is_empty() && title_words.windows(phrase.len()).any(|window| window == phrase)
}

/// The lead fields filled by answered questions with `maps_to`. When two
/// questions fill the same field, the first in document order wins.
pub fn lead_fields(def: &FormDefinition, answers: &Answers) -> BTreeMap<LeadField, String> {
    let mut fields = BTreeMap::new();
    for question in &def.questions {
        let Some(field) = question.maps_to else {
            continue;
        };
        let text = answers.get(&question.id).and_then(|answer| answer.display_text());
        if let Some(text) = text.filter(|text| !text.trim().is_empty()) {
            fields.entry(field).or_insert(text);
        }
    }
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_domain_takes_the_part_after_the_last_at() {
        assert_eq!(email_domain("ann@acme.com"), Some("acme.com"));
        assert_eq!(email_domain("\"a@b\"@acme.com"), Some("acme.com"));
        assert_eq!(email_domain("ann@"), None);
        assert_eq!(email_domain("ann"), None);
    }

    #[test]
    fn company_domain_skips_free_and_disposable_mail() {
        assert_eq!(company_domain("CTO@Acme.Example").as_deref(), Some("acme.example"));
        assert_eq!(company_domain("ann@gmail.com"), None);
        assert_eq!(company_domain("x@mailinator.com"), None);
        assert_eq!(company_domain("ann@localhost"), None);
        assert_eq!(company_domain("ann"), None);
    }

    #[test]
    fn built_in_categories() {
        assert!(is_free_mail_domain("gmail.com"));
        assert!(is_free_mail_domain("GMX.de"));
        assert!(!is_free_mail_domain("acme.com"));
        assert!(is_disposable_domain("mailinator.com"));
        assert!(is_disposable_domain("x.mailinator.com"));
        assert!(is_academic_domain("stanford.edu"));
        assert!(is_academic_domain("cs.stanford.edu"));
        assert!(is_academic_domain("cl.cam.ac.uk"));
        assert!(is_academic_domain("inf.ethz.ch"));
        assert!(!is_academic_domain("education.com"));
        assert!(!is_academic_domain("acme.com"));
        assert!(!is_academic_domain("edu"));
    }

    #[test]
    fn built_in_lists_have_header_and_no_duplicates() {
        for text in [
            include_str!("domains/free_mail.txt"),
            include_str!("domains/disposable.txt"),
            include_str!("domains/academic.txt"),
        ] {
            assert!(text.starts_with('#') && text.contains("2026-11-22"));
            let entries: Vec<_> = text.lines().filter(|l| !l.starts_with('#')).collect();
            let unique: HashSet<_> = entries.iter().collect();
            assert_eq!(unique.len(), entries.len());
            assert!(entries.iter().all(|e| *e == e.trim().to_lowercase() && !e.is_empty()));
        }
        assert!(BUILTIN.free.len() >= 60 && BUILTIN.disposable.len() >= 40);
    }

    #[test]
    fn form_lists_extend_the_categories() {
        let mut def = crate::engine::test_support::tiny_form();
        def.lists.insert(ACADEMIC_LIST.into(), vec!["@Campus.Example".into()]);
        let categories = DomainCategories::for_form(&def);
        assert!(categories.is_academic("campus.example"));
        assert!(categories.is_academic("lab.campus.example"));
        assert!(!categories.is_free("campus.example"));
    }

    #[test]
    fn title_words_and_phrases() {
        let words = title_words("Co-Founder & Head of Sales");
        assert_eq!(words, ["co", "founder", "head", "of", "sales"]);
        assert!(has_phrase(&words, &title_words("head of")));
        assert!(!has_phrase(&words, &title_words("of head")));
        assert!(!has_phrase(&words, &[]));
    }

    #[test]
    fn lead_fields_use_the_first_answered_mapping() {
        let def = crate::engine::test_support::tiny_form();
        let mut answers = Answers::new();
        answers.insert("email".into(), super::super::AnswerValue::Text("a@acme.com".into()));
        let fields = lead_fields(&def, &answers);
        assert_eq!(fields.get(&LeadField::Email).map(String::as_str), Some("a@acme.com"));
        assert_eq!(fields.len(), 1);
    }

    #[test]
    fn eu_countries_is_built_in() {
        assert!(builtin_list("eu_countries").unwrap().contains(&"DE"));
        assert!(builtin_list("nope").is_none());
    }
}
