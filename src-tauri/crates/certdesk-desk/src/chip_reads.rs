//! The ID numbers this session's reader read off a card's chip (#72). A person saved with
//! `source: "chip"` keeps that mark only for a number read here in this session, or one the
//! case already held as read; any other claim (typed JSON, another desk's file) is dropped with
//! a warning, so the supervisor can trust the mark. Held as digests in memory only, shared by a
//! session's copies, gone with the session.

use crate::api::Desk;
use certdesk_domain::{CaseData, FieldProblem, IdSource, Severity};
use sha2::{Digest, Sha256};
use std::collections::HashSet;
use std::sync::{Arc, Mutex, PoisonError};

#[derive(Clone, Default)]
pub struct ChipReads(Arc<Mutex<HashSet<[u8; 32]>>>);

impl std::fmt::Debug for ChipReads {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ChipReads({})", self.0.lock().unwrap_or_else(PoisonError::into_inner).len())
    }
}

fn digest(id_number: &str) -> [u8; 32] {
    Sha256::digest(id_number.trim().to_uppercase().as_bytes()).into()
}

impl ChipReads {
    fn note(&self, id_number: &str) {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).insert(digest(id_number));
    }

    fn has(&self, id_number: &str) -> bool {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).contains(&digest(id_number))
    }
}

/// The people of a case that carry an identity: (path, its source, its ID number).
fn people(data: &mut CaseData) -> Vec<(String, &mut Option<IdSource>, String)> {
    let mut out = vec![("handler".to_string(), &mut data.handler.source, data.handler.id_number.clone())];
    for (i, e) in data.employees.iter_mut().enumerate() {
        let id = e.id_number.clone();
        out.push((format!("employees[{i}]"), &mut e.source, id));
    }
    out
}

/// The ID numbers `data` holds as read off a chip.
fn read_off_chip(data: &CaseData) -> impl Iterator<Item = &str> {
    let handler = std::iter::once((&data.handler.source, data.handler.id_number.as_str()));
    handler.chain(data.employees.iter().map(|e| (&e.source, e.id_number.as_str()))).filter(|(source, _)| **source == Some(IdSource::Chip)).map(|(_, id)| id)
}

impl Desk<'_> {
    /// A card this session's reader read (the shell calls it for every card it hands the intake).
    pub fn note_chip_read(&self, id_number: &str) {
        self.chip_reads.note(id_number);
    }

    /// Drops every `chip` mark of `data` this desk cannot vouch for: a number its reader did not
    /// read in this session and that `before` (the case as stored) did not hold as read.
    pub(crate) fn vouch_chip_reads(&self, data: &mut CaseData, before: Option<&CaseData>) -> Vec<FieldProblem> {
        let read_before: HashSet<[u8; 32]> = before.into_iter().flat_map(read_off_chip).map(digest).collect();
        // a case by post is taken without the applicant (#73): no card was at the desk for it,
        // whatever this session's reader read; its copies are checked instead
        let posted = data.channel() == certdesk_domain::Channel::Post;
        let mut warnings = Vec::new();
        for (path, source, id) in people(data) {
            if *source == Some(IdSource::Chip) && (posted || !self.chip_reads.has(&id)) && !read_before.contains(&digest(&id)) {
                *source = None;
                let (message, message_zh) = if posted {
                    (
                        format!("{path}: a case by post has no card at the desk, its copies are checked: the chip mark is dropped"),
                        "邮寄案件申请人不到场，身份以证件复印件核对，已去除“读卡”标记",
                    )
                } else {
                    (format!("{path}'s ID number was not read off a card at this desk: the chip mark is dropped"), "该证件号码未经本机读卡，已去除“读卡”标记")
                };
                warnings.push(FieldProblem { path: format!("{path}.source"), message, message_zh: message_zh.into(), severity: Severity::Warning });
            }
        }
        warnings
    }
}
