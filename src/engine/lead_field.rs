//! The lead fields a question can fill in through `maps_to`, with their
//! stored names and human labels.

use serde::{Deserialize, Serialize};

/// A field of the lead record that a question can fill in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LeadField {
    /// Work email address.
    Email,
    /// Given name.
    FirstName,
    /// Family name.
    LastName,
    /// Company name.
    Company,
    /// Company website.
    Website,
    /// Job title.
    JobTitle,
    /// Company size band.
    CompanySize,
    /// Industry.
    Industry,
    /// Country (ISO code or name).
    Country,
    /// Phone number.
    Phone,
}

impl LeadField {
    /// Every lead field, in a stable order.
    pub const ALL: [LeadField; 10] = [
        Self::Email,
        Self::FirstName,
        Self::LastName,
        Self::Company,
        Self::Website,
        Self::JobTitle,
        Self::CompanySize,
        Self::Industry,
        Self::Country,
        Self::Phone,
    ];

    /// The snake_case name used in definitions and storage.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::FirstName => "first_name",
            Self::LastName => "last_name",
            Self::Company => "company",
            Self::Website => "website",
            Self::JobTitle => "job_title",
            Self::CompanySize => "company_size",
            Self::Industry => "industry",
            Self::Country => "country",
            Self::Phone => "phone",
        }
    }

    /// A human label, e.g. "Job title".
    pub fn label(self) -> &'static str {
        match self {
            Self::Email => "Email",
            Self::FirstName => "First name",
            Self::LastName => "Last name",
            Self::Company => "Company",
            Self::Website => "Website",
            Self::JobTitle => "Job title",
            Self::CompanySize => "Company size",
            Self::Industry => "Industry",
            Self::Country => "Country",
            Self::Phone => "Phone",
        }
    }

    /// Parses the snake_case name.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|field| field.as_str() == name)
    }

    /// Position in [`LeadField::ALL`], for array-indexed lookups.
    pub(crate) fn index(self) -> usize {
        self as usize
    }
}
