//! The case state machine. Owns which status a case may move to by which action:
//! draft → accepted → submitted → approved | returned → key_issued → delivered → closed (a case
//! that makes no key goes from approved to delivered or closed),
//! cancelled from any open state, and an edit of an approved case sending it back to review.
//! Transitions carry the acting account's name so that the workflow (roles, four-eyes) can be
//! checked on the same value; the rules about *who* may act live in `workflow`.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Draft,
    Accepted,
    Submitted,
    Approved,
    Returned,
    KeyIssued,
    Delivered,
    Closed,
    Cancelled,
}

impl Status {
    pub const ALL: [Status; 9] =
        [Status::Draft, Status::Accepted, Status::Submitted, Status::Approved, Status::Returned, Status::KeyIssued, Status::Delivered, Status::Closed, Status::Cancelled];

    pub fn wire(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Accepted => "accepted",
            Status::Submitted => "submitted",
            Status::Approved => "approved",
            Status::Returned => "returned",
            Status::KeyIssued => "key_issued",
            Status::Delivered => "delivered",
            Status::Closed => "closed",
            Status::Cancelled => "cancelled",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            Status::Draft => "草稿",
            Status::Accepted => "已受理",
            Status::Submitted => "待复核",
            Status::Approved => "复核通过",
            Status::Returned => "已退回",
            Status::KeyIssued => "已制证",
            Status::Delivered => "已交付",
            Status::Closed => "已归档",
            Status::Cancelled => "已作废",
        }
    }

    pub fn from_wire(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|st| st.wire() == s)
    }

    /// The status in English, for an English screen.
    pub fn en(self) -> &'static str {
        match self {
            Status::Draft => "Draft",
            Status::Accepted => "Accepted",
            Status::Submitted => "Submitted",
            Status::Approved => "Approved",
            Status::Returned => "Returned",
            Status::KeyIssued => "Key issued",
            Status::Delivered => "Delivered",
            Status::Closed => "Closed",
            Status::Cancelled => "Cancelled",
        }
    }

    /// Closed and cancelled cases take no more actions.
    pub fn is_open(self) -> bool {
        !matches!(self, Status::Closed | Status::Cancelled)
    }

    /// The case data may be edited in these states (an edit of an approved case voids the
    /// approval; see [`Action::Edit`]).
    pub fn is_editable(self) -> bool {
        matches!(self, Status::Draft | Status::Accepted | Status::Returned | Status::Submitted | Status::Approved)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.wire())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// The clerk has checked the documents: 受理.
    Accept,
    /// Sent to the supervisor for the second check: 提交复核.
    Submit,
    /// Second check passed: 复核通过.
    Approve,
    /// Second check failed, back to the clerk with a reason: 退回.
    Return,
    /// The case data changed.
    Edit,
    /// The key has been made: 制证.
    IssueKey,
    /// Handed to the applicant: 交付.
    Deliver,
    Close,
    /// 作废, with a reason.
    Cancel,
}

impl Action {
    pub fn wire(self) -> &'static str {
        match self {
            Action::Accept => "accept",
            Action::Submit => "submit",
            Action::Approve => "approve",
            Action::Return => "return",
            Action::Edit => "edit",
            Action::IssueKey => "issue_key",
            Action::Deliver => "deliver",
            Action::Close => "close",
            Action::Cancel => "cancel",
        }
    }

    pub const ALL: [Action; 9] = [Action::Accept, Action::Submit, Action::Approve, Action::Return, Action::Edit, Action::IssueKey, Action::Deliver, Action::Close, Action::Cancel];

    pub fn from_wire(s: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.wire() == s)
    }

    /// Whether the action must give a reason (shown to the clerk, kept on the audit chain).
    pub fn needs_reason(self) -> bool {
        matches!(self, Action::Return | Action::Cancel)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a case that is {from} cannot {}", action.wire())]
pub struct TransitionError {
    pub from: Status,
    pub action: Action,
}

/// The status after `action`, or why it is not allowed.
pub fn next(from: Status, action: Action) -> Result<Status, TransitionError> {
    use Action as A;
    use Status as S;
    let to = match (from, action) {
        (S::Draft, A::Accept) => S::Accepted,
        (S::Accepted | S::Returned, A::Submit) => S::Submitted,
        (S::Submitted, A::Approve) => S::Approved,
        (S::Submitted, A::Return) => S::Returned,
        // an edit after approval voids it: back to review
        (S::Approved, A::Edit) => S::Submitted,
        (s, A::Edit) if s.is_editable() => s,
        (S::Approved, A::IssueKey) => S::KeyIssued,
        (S::KeyIssued, A::Deliver) => S::Delivered,
        // cases that make no key: a key unlocked for the case goes back; a revocation, a
        // confirmation or a mobile certificate closes with nothing to hand over (which steps a
        // case takes is its plan, `steps`; this is only what the statuses allow)
        (S::Approved, A::Deliver) => S::Delivered,
        (S::Delivered | S::Approved | S::KeyIssued, A::Close) => S::Closed,
        (s, A::Cancel) if s.is_open() => S::Cancelled,
        _ => return Err(TransitionError { from, action }),
    };
    Ok(to)
}

#[cfg(test)]
mod tests {
    use super::*;
    use Action as A;
    use Status as S;

    #[test]
    fn the_happy_path() {
        let mut s = S::Draft;
        for (action, expect) in [
            (A::Accept, S::Accepted),
            (A::Submit, S::Submitted),
            (A::Return, S::Returned),
            (A::Edit, S::Returned),
            (A::Submit, S::Submitted),
            (A::Approve, S::Approved),
            (A::IssueKey, S::KeyIssued),
            (A::Deliver, S::Delivered),
            (A::Close, S::Closed),
        ] {
            s = next(s, action).unwrap();
            assert_eq!(s, expect, "after {action:?}");
        }
    }

    #[test]
    fn illegal_transitions_are_refused() {
        for (from, action) in [
            (S::Draft, A::Submit),
            (S::Draft, A::Approve),
            (S::Accepted, A::Approve),
            (S::Returned, A::Approve),
            (S::Submitted, A::IssueKey),
            (S::Approved, A::Approve),
            (S::Closed, A::Cancel),
            (S::Cancelled, A::Accept),
            (S::Closed, A::Edit),
            (S::KeyIssued, A::Edit),
        ] {
            let err = next(from, action).unwrap_err();
            assert_eq!(err, TransitionError { from, action });
        }
    }

    #[test]
    fn edit_after_approval_goes_back_to_review() {
        assert_eq!(next(S::Approved, A::Edit), Ok(S::Submitted));
    }

    #[test]
    fn cancel_from_every_open_state() {
        for s in Status::ALL {
            assert_eq!(next(s, A::Cancel).is_ok(), s.is_open(), "{s}");
        }
    }

    #[test]
    fn wire_names_round_trip() {
        for s in Status::ALL {
            assert_eq!(Status::from_wire(s.wire()), Some(s));
            assert_eq!(serde_json::to_value(s).unwrap(), s.wire());
        }
    }
}
