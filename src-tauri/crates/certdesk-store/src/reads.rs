//! How many times this thread read a case, its chain and its files (#75: a case action loads
//! its case once). Counted where the three reads are, so a test of any caller can hold an
//! action to one load; per thread, so tests running side by side do not see each other's.

use std::cell::Cell;

/// Reads of a case's three parts so far on this thread.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CaseReads {
    /// the stored case (`cases` row)
    pub cases: u32,
    /// its events on the audit chain
    pub histories: u32,
    /// its list of files
    pub file_lists: u32,
}

impl CaseReads {
    /// The reads since `earlier`.
    pub fn since(self, earlier: CaseReads) -> CaseReads {
        CaseReads { cases: self.cases - earlier.cases, histories: self.histories - earlier.histories, file_lists: self.file_lists - earlier.file_lists }
    }
}

thread_local! {
    static READS: Cell<CaseReads> = const { Cell::new(CaseReads { cases: 0, histories: 0, file_lists: 0 }) };
}

/// The reads this thread has made so far.
pub fn case_reads() -> CaseReads {
    READS.with(Cell::get)
}

pub(crate) fn note(count: impl FnOnce(&mut CaseReads)) {
    READS.with(|r| {
        let mut now = r.get();
        count(&mut now);
        r.set(now);
    });
}
