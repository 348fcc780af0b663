//! Staff keys (#31), the rules without IO: who must sign in and approve with their own USB key
//! (an account with an open enrolment and a role the counter's `key_sign_in_roles` names), and
//! the exact statements a staff key signs. Each statement starts with its own tag line, so a
//! signature of one kind can never pass as another. Not the enrolments (the store's), the
//! signing (the token's) nor the check of a signature (the token's `staff` module).

use crate::workflow::Role;

/// The roles that must sign in with a key once enrolled, when the counter set none.
pub const DEFAULT_KEY_ROLES: &[Role] = &[Role::Supervisor, Role::KeyClerk, Role::Admin];

/// The roles of a `key_sign_in_roles` setting (`supervisor,key_clerk,admin`); an unknown name
/// is named.
pub fn parse_key_roles(text: &str) -> Result<Vec<Role>, String> {
    let mut roles = Vec::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let role = Role::from_wire(part).ok_or_else(|| format!("{part:?} is no role (admin, clerk, supervisor, key_clerk)"))?;
        if !roles.contains(&role) {
            roles.push(role);
        }
    }
    Ok(roles)
}

/// Whether an account of `roles` must use its key: it has an open enrolment and one of its
/// roles is among `required`.
pub fn key_required(roles: &[Role], required: &[Role], enrolled: bool) -> bool {
    enrolled && roles.iter().any(|r| required.contains(r))
}

/// What the key signs to sign in: a fresh nonce for this account, counter and certificate.
pub fn sign_in_statement(counter: &str, account: &str, fingerprint: &str, nonce_hex: &str) -> String {
    format!("certdesk-sign-in-v1\ncounter {counter}\naccount {account}\ncertificate {fingerprint}\nnonce {nonce_hex}\n")
}

/// What a supervisor's key signs to approve a case: the case and its approval digest (its data
/// and the files the approval covers), by whom, with which certificate.
pub fn approval_statement(counter: &str, number: &str, approval_digest: &str, signer: &str, fingerprint: &str) -> String {
    format!("certdesk-approval-v1\ncounter {counter}\ncase {number}\napproval {approval_digest}\nsigner {signer}\ncertificate {fingerprint}\n")
}

/// What a supervisor's key signs to close a day (日结): the day sheet's digest and the audit
/// chain's head at the close.
pub fn day_statement(counter: &str, day: &str, sheet_sha256: &str, head: &str, signer: &str, fingerprint: &str) -> String {
    format!("certdesk-day-close-v1\ncounter {counter}\nday {day}\nsheet {sheet_sha256}\nhead {head}\nsigner {signer}\ncertificate {fingerprint}\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_required_by_role_once_enrolled() {
        use Role::*;
        let table: &[(&[Role], &[Role], bool, bool)] = &[
            (&[Supervisor], DEFAULT_KEY_ROLES, true, true),
            (&[Supervisor], DEFAULT_KEY_ROLES, false, false),
            (&[Clerk], DEFAULT_KEY_ROLES, true, false),
            (&[Clerk, KeyClerk], DEFAULT_KEY_ROLES, true, true),
            (&[Admin], &[Supervisor], true, false),
            (&[Supervisor], &[], true, false),
        ];
        for (roles, required, enrolled, expected) in table {
            assert_eq!(key_required(roles, required, *enrolled), *expected, "{roles:?} {required:?} {enrolled}");
        }
    }

    #[test]
    fn the_setting_names_roles_and_refuses_others() {
        assert_eq!(parse_key_roles("supervisor, key_clerk,supervisor").unwrap(), vec![Role::Supervisor, Role::KeyClerk]);
        assert_eq!(parse_key_roles("").unwrap(), Vec::<Role>::new());
        assert!(parse_key_roles("supervisor,boss").unwrap_err().contains("boss"));
    }

    #[test]
    fn statements_are_exact_and_of_their_own_kind() {
        assert_eq!(
            approval_statement("GZ01", "GZ01-20261124-0001", "ab", "li", "cd"),
            "certdesk-approval-v1\ncounter GZ01\ncase GZ01-20261124-0001\napproval ab\nsigner li\ncertificate cd\n"
        );
        assert_eq!(sign_in_statement("GZ01", "li", "cd", "00"), "certdesk-sign-in-v1\ncounter GZ01\naccount li\ncertificate cd\nnonce 00\n");
        assert!(day_statement("GZ01", "2026-11-24", "s", "h", "li", "cd").starts_with("certdesk-day-close-v1\n"));
    }
}
