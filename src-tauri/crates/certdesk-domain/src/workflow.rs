//! Who may do what to a case. Owns the roles (admin, clerk, supervisor, key clerk), which role
//! each action needs, the four-eyes rule (whoever created, accepted, submitted or last edited a
//! case never approves it, whatever roles they hold), required reasons, and the binding of an
//! approval to the digest of the data approved. Pure rules over facts the store provides;
//! authentication (passwords, lockout) is the store's accounts module.

use crate::status::{Action, Status};
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Clerk,
    Supervisor,
    KeyClerk,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Admin, Role::Clerk, Role::Supervisor, Role::KeyClerk];

    pub fn wire(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Clerk => "clerk",
            Role::Supervisor => "supervisor",
            Role::KeyClerk => "key_clerk",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            Role::Admin => "管理员",
            Role::Clerk => "受理员",
            Role::Supervisor => "复核员",
            Role::KeyClerk => "制证员",
        }
    }

    pub fn from_wire(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.wire() == s)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.wire())
    }
}

/// The acting account, as authenticated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct Actor {
    pub name: String,
    pub roles: Vec<Role>,
}

impl Actor {
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }
}

/// What the rules need to know about a case: its status, the accounts that shaped its data,
/// and the digest it was approved at.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseFacts {
    pub status: Option<Status>,
    pub digest: String,
    pub created_by: Option<String>,
    pub accepted_by: Option<String>,
    pub submitted_by: Option<String>,
    pub last_edited_by: Option<String>,
    pub approved_digest: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RuleError {
    #[error("{action} needs the role {needed} ({}); {actor} has {}", needed.iter().map(|r| r.zh()).collect::<Vec<_>>().join("/"), if has.is_empty() { "no role".to_string() } else { has.iter().map(|r| r.wire()).collect::<Vec<_>>().join(", ") })]
    MissingRole { actor: String, action: &'static str, needed: RoleList, has: Vec<Role> },
    #[error("four-eyes rule: {actor} {did} this case and cannot approve it; another supervisor must (复核须由他人进行)")]
    OwnCase { actor: String, did: &'static str },
    #[error("{action} needs a reason")]
    ReasonRequired { action: &'static str },
    #[error("the approval was given for other data (approved {approved}, now {current}): the case must be reviewed again")]
    ApprovalVoid { approved: String, current: String },
    #[error("case is {status}: keys are made only for approved cases (复核通过后方可制证)")]
    NotApproved { status: Status },
}

/// Whether the key desk may work on a case: approved, or a key already issued (re-issue).
pub fn may_make_key(status: Status) -> Result<(), RuleError> {
    match status {
        Status::Approved | Status::KeyIssued => Ok(()),
        status => Err(RuleError::NotApproved { status }),
    }
}

/// Roles, shown as `clerk|admin`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleList(pub Vec<Role>);

impl fmt::Display for RoleList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.iter().map(|r| r.wire()).collect::<Vec<_>>().join("|"))
    }
}

impl RoleList {
    fn iter(&self) -> impl Iterator<Item = &Role> {
        self.0.iter()
    }
}

/// The roles that may take an action (any one of them suffices).
pub fn roles_for(action: Action) -> &'static [Role] {
    match action {
        Action::Accept | Action::Submit | Action::Edit => &[Role::Clerk],
        Action::Approve | Action::Return => &[Role::Supervisor],
        Action::IssueKey | Action::Deliver => &[Role::KeyClerk],
        Action::Close => &[Role::Clerk, Role::KeyClerk, Role::Admin],
        Action::Cancel => &[Role::Clerk, Role::Supervisor, Role::Admin],
    }
}

/// Checks that `actor` may take `action` on a case with these facts. The state machine itself
/// (whether the status allows the action) is `status::next`.
pub fn authorize(actor: &Actor, action: Action, facts: &CaseFacts, reason: Option<&str>) -> Result<(), RuleError> {
    let needed = roles_for(action);
    if !needed.iter().any(|r| actor.has(*r)) {
        return Err(RuleError::MissingRole { actor: actor.name.clone(), action: action.wire(), needed: RoleList(needed.to_vec()), has: actor.roles.clone() });
    }
    if action.needs_reason() && reason.is_none_or(|r| r.trim().is_empty()) {
        return Err(RuleError::ReasonRequired { action: action.wire() });
    }
    if matches!(action, Action::Approve | Action::Return) {
        let mine = |who: &Option<String>| who.as_deref() == Some(actor.name.as_str());
        let did = if mine(&facts.accepted_by) {
            Some("accepted")
        } else if mine(&facts.last_edited_by) {
            Some("last edited")
        } else if mine(&facts.created_by) {
            Some("created")
        } else if mine(&facts.submitted_by) {
            Some("submitted")
        } else {
            None
        };
        if let (Some(did), Action::Approve) = (did, action) {
            return Err(RuleError::OwnCase { actor: actor.name.clone(), did });
        }
    }
    if action == Action::IssueKey {
        match &facts.approved_digest {
            Some(approved) if *approved == facts.digest => {}
            approved => {
                return Err(RuleError::ApprovalVoid { approved: approved.clone().unwrap_or_else(|| "never".into()), current: facts.digest.clone() });
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(name: &str, roles: &[Role]) -> Actor {
        Actor { name: name.into(), roles: roles.to_vec() }
    }

    fn facts() -> CaseFacts {
        CaseFacts {
            status: Some(Status::Submitted),
            digest: "d1".into(),
            created_by: Some("zhang".into()),
            accepted_by: Some("zhang".into()),
            submitted_by: Some("zhang".into()),
            last_edited_by: None,
            approved_digest: None,
        }
    }

    #[test]
    fn roles_gate_actions() {
        let clerk = actor("zhang", &[Role::Clerk]);
        let sup = actor("li", &[Role::Supervisor]);
        let key = actor("wang", &[Role::KeyClerk]);
        assert!(authorize(&clerk, Action::Accept, &facts(), None).is_ok());
        assert!(matches!(authorize(&sup, Action::Accept, &facts(), None), Err(RuleError::MissingRole { .. })));
        assert!(authorize(&sup, Action::Approve, &facts(), None).is_ok());
        assert!(matches!(authorize(&clerk, Action::Approve, &facts(), None), Err(RuleError::MissingRole { .. })));
        assert!(matches!(authorize(&key, Action::Approve, &facts(), None), Err(RuleError::MissingRole { .. })));
        let mut approved = facts();
        approved.approved_digest = Some("d1".into());
        assert!(authorize(&key, Action::IssueKey, &approved, None).is_ok());
        assert!(matches!(authorize(&clerk, Action::IssueKey, &approved, None), Err(RuleError::MissingRole { .. })));
    }

    #[test]
    fn self_approval_is_refused_even_with_both_roles() {
        let both = actor("zhang", &[Role::Clerk, Role::Supervisor]);
        let err = authorize(&both, Action::Approve, &facts(), None).unwrap_err();
        assert_eq!(err, RuleError::OwnCase { actor: "zhang".into(), did: "accepted" });
        let mut edited = facts();
        edited.accepted_by = Some("other".into());
        edited.created_by = Some("other".into());
        edited.submitted_by = Some("other".into());
        edited.last_edited_by = Some("zhang".into());
        assert_eq!(authorize(&both, Action::Approve, &edited, None).unwrap_err(), RuleError::OwnCase { actor: "zhang".into(), did: "last edited" });
        // a different supervisor may
        assert!(authorize(&actor("li", &[Role::Supervisor]), Action::Approve, &facts(), None).is_ok());
    }

    #[test]
    fn return_and_cancel_need_a_reason() {
        let sup = actor("li", &[Role::Supervisor]);
        assert_eq!(authorize(&sup, Action::Return, &facts(), None), Err(RuleError::ReasonRequired { action: "return" }));
        assert_eq!(authorize(&sup, Action::Return, &facts(), Some("  ")), Err(RuleError::ReasonRequired { action: "return" }));
        assert!(authorize(&sup, Action::Return, &facts(), Some("公章模糊")).is_ok());
        assert!(authorize(&sup, Action::Cancel, &facts(), None).is_err());
    }

    #[test]
    fn the_key_desk_works_only_on_approved_cases() {
        assert!(may_make_key(Status::Approved).is_ok());
        assert!(may_make_key(Status::KeyIssued).is_ok());
        for s in [Status::Draft, Status::Accepted, Status::Submitted, Status::Returned, Status::Cancelled, Status::Closed] {
            assert_eq!(may_make_key(s), Err(RuleError::NotApproved { status: s }));
        }
    }

    #[test]
    fn issuing_needs_an_approval_of_the_current_data() {
        let key = actor("wang", &[Role::KeyClerk]);
        let mut f = facts();
        f.approved_digest = Some("d0".into());
        assert!(matches!(authorize(&key, Action::IssueKey, &f, None), Err(RuleError::ApprovalVoid { .. })));
        f.approved_digest = None;
        assert!(matches!(authorize(&key, Action::IssueKey, &f, None), Err(RuleError::ApprovalVoid { .. })));
    }
}
