//! The one navigation of signed-in pages: which links each role sees (only
//! pages the role may open), which one is current, and where each role
//! lands after signing in. It decides nothing about access: the handlers
//! check roles themselves, and their role lists are used here so a link
//! is never shown to someone the page refuses.

use std::borrow::Borrow;

use crate::app::auth::Role;
use crate::web::admin::{ANALYTICS_ROLES, EDITOR_ROLES, ROUTING_ROLES};
use crate::web::inbox::INBOX_ROLES;

const ADMIN: [Role; 1] = [Role::Admin];
const REPS_AND_ADMINS: [Role; 2] = [Role::Rep, Role::Admin];
const LEAD_WORKERS: [Role; 3] = [Role::Rep, Role::Manager, Role::Admin];
const ANALYSTS: [Role; 3] = [Role::Manager, Role::Marketer, Role::Admin];
const EDITORS: [Role; 2] = [Role::Marketer, Role::Admin];
const ROUTERS: [Role; 2] = [Role::Manager, Role::Admin];

/// A section of the signed-in pages.
struct Section {
    key: &'static str,
    label: &'static str,
    href: &'static str,
    /// Who sees the link (a subset of who may open the page).
    shown_to: &'static [Role],
    /// Who may open the page (the handler's own list).
    allowed: &'static [Role],
}

const SECTIONS: [Section; 9] = [
    Section { key: "inbox", label: "Inbox", href: "/inbox", shown_to: &LEAD_WORKERS, allowed: &INBOX_ROLES },
    Section {
        key: "bookings",
        label: "Bookings",
        href: "/inbox/bookings",
        shown_to: &LEAD_WORKERS,
        allowed: &INBOX_ROLES,
    },
    // Managers reach each rep's calendar from Bookings; they have no meetings of their own.
    Section {
        key: "calendar",
        label: "Calendar",
        href: "/inbox/calendar",
        shown_to: &REPS_AND_ADMINS,
        allowed: &INBOX_ROLES,
    },
    Section { key: "forms", label: "Forms", href: "/admin/forms", shown_to: &EDITORS, allowed: &EDITOR_ROLES },
    Section { key: "routing", label: "Routing", href: "/admin/routing", shown_to: &ROUTERS, allowed: &ROUTING_ROLES },
    Section {
        key: "analytics",
        label: "Analytics",
        href: "/admin/analytics",
        shown_to: &ANALYSTS,
        allowed: &ANALYTICS_ROLES,
    },
    Section { key: "notices", label: "Notices", href: "/admin/notices", shown_to: &ADMIN, allowed: &ADMIN },
    Section { key: "webhooks", label: "Webhooks", href: "/admin/webhooks", shown_to: &ADMIN, allowed: &ADMIN },
    Section { key: "tokens", label: "API tokens", href: "/admin/tokens", shown_to: &ADMIN, allowed: &ADMIN },
];

/// One link of the navigation as drawn.
pub struct NavLink {
    pub label: &'static str,
    pub href: &'static str,
    /// `aria-current`: "page" on the section's own page, "true" on a page
    /// inside it (a lead, a form's tab), none elsewhere.
    pub current: Option<&'static str>,
}

/// The links `role` sees, with the one for section `at` marked (`inside`:
/// the page is within that section rather than its first page).
/// (Templates pass references, hence `Borrow`.)
pub fn links(role: impl Borrow<Role>, at: &str, inside: impl Borrow<bool>) -> Vec<NavLink> {
    let (role, inside) = (*role.borrow(), *inside.borrow());
    SECTIONS
        .iter()
        .filter(|s| s.shown_to.contains(&role) && s.allowed.contains(&role))
        .map(|s| NavLink {
            label: s.label,
            href: s.href,
            current: (s.key == at).then_some(if inside { "true" } else { "page" }),
        })
        .collect()
}

/// Where `role` starts: the first page of their work.
pub fn home(role: impl Borrow<Role>) -> &'static str {
    match role.borrow() {
        Role::Marketer => "/admin/forms",
        Role::Rep | Role::Manager | Role::Admin => "/inbox",
    }
}

/// False for a path in a section that refuses `role` (so signing in never
/// lands on a 403); paths outside every section are left to their pages.
pub fn may_open(role: Role, path: &str) -> bool {
    let within = |href: &str| path == href || path.starts_with(&format!("{href}/"));
    // The longest matching section decides (`/inbox/bookings` before `/inbox`).
    SECTIONS.iter().filter(|s| within(s.href)).max_by_key(|s| s.href.len()).is_none_or(|s| s.allowed.contains(&role))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_link_shown_to_a_role_is_a_page_it_may_open() {
        for section in &SECTIONS {
            for role in section.shown_to {
                assert!(section.allowed.contains(role), "{} shown to {}", section.key, role.as_str());
            }
        }
    }

    #[test]
    fn sign_in_never_lands_a_role_where_it_is_refused() {
        assert!(!may_open(Role::Marketer, "/inbox"));
        assert!(!may_open(Role::Marketer, "/inbox/leads/1"));
        assert!(!may_open(Role::Rep, "/admin/forms/1/scoring"));
        assert!(!may_open(Role::Manager, "/admin/tokens"));
        assert!(may_open(Role::Manager, "/admin/routing/rules/new"));
        assert!(may_open(Role::Marketer, "/admin/analytics"));
        assert!(may_open(Role::Rep, "/f/talk-to-sales"));
        assert!(may_open(Role::Rep, "/admin/formsx"), "a longer name is not inside /admin/forms");
        for role in [Role::Admin, Role::Manager, Role::Marketer, Role::Rep] {
            assert!(may_open(role, home(role)), "{} home", role.as_str());
        }
    }

    #[test]
    fn the_current_section_is_marked_page_on_its_own_page_and_true_inside_it() {
        let marked = |inside: bool| -> Vec<(&str, &str)> {
            links(Role::Admin, "forms", inside).into_iter().filter_map(|l| l.current.map(|c| (l.label, c))).collect()
        };
        assert_eq!(marked(false), vec![("Forms", "page")]);
        assert_eq!(marked(true), vec![("Forms", "true")]);
    }
}
