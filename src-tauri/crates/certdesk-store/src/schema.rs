//! Database schema as a constant list of migrations. A migration, once released, is never
//! edited: a change is a new entry at the end. `PRAGMA user_version` records how many ran.
//! A test pins each migration's SHA-256 so that an edit of an old one fails loudly.

/// Migration 1: settings, case numbering, cases, the two search indexes, the audit chain.
const M001_CASES: &str = r#"
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

-- the last sequence number handed out per counter and day
CREATE TABLE case_seq (
    counter TEXT NOT NULL,
    day TEXT NOT NULL,
    last INTEGER NOT NULL,
    PRIMARY KEY (counter, day)
) STRICT;

CREATE TABLE cases (
    id INTEGER PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    project TEXT NOT NULL,
    business TEXT NOT NULL,
    cert_kind TEXT NOT NULL,
    status TEXT NOT NULL,
    org_name TEXT NOT NULL,
    handler_name TEXT NOT NULL,
    data TEXT NOT NULL,
    digest TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    updated_by TEXT NOT NULL
) STRICT;
CREATE INDEX cases_status ON cases (status, id);
CREATE INDEX cases_project ON cases (project, id);
CREATE INDEX cases_created ON cases (created_at);

-- substring search for queries of three or more characters
CREATE VIRTUAL TABLE case_text USING fts5 (
    body, tokenize = 'trigram', content = '', contentless_delete = 1
);
-- one- and two-character queries: CJK unigrams and bigrams, whole ASCII tokens (prefix)
CREATE VIRTUAL TABLE case_grams USING fts5 (
    body, tokenize = 'unicode61', content = '', contentless_delete = 1, prefix = '1 2'
);

CREATE TABLE audit_events (
    seq INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    case_number TEXT,
    digest_before TEXT,
    digest_after TEXT,
    detail TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
) STRICT;
CREATE INDEX audit_events_case ON audit_events (case_number, seq);
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
"#;

/// Migration 2: local accounts (issue "accounts, roles and the second check").
const M002_ACCOUNTS: &str = r#"
CREATE TABLE accounts (
    name TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    roles TEXT NOT NULL,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked INTEGER NOT NULL DEFAULT 0,
    disabled INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;
"#;

/// Migration 3: identifier prefixes (USCC, ID numbers, mobiles, case numbers) in a B-tree, so
/// that a typed prefix is a range scan instead of a trigram phrase over digits. Backfilled
/// from the stored case JSON.
const M003_IDENTS: &str = r#"
CREATE TABLE case_idents (
    ident TEXT NOT NULL,
    case_id INTEGER NOT NULL,
    PRIMARY KEY (ident, case_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX case_idents_case ON case_idents (case_id);
INSERT OR IGNORE INTO case_idents (ident, case_id)
SELECT upper(replace(v, '-', '')), id FROM (
    SELECT id, number AS v FROM cases
    UNION ALL SELECT id, json_extract(data, '$.organization.uscc') FROM cases
    UNION ALL SELECT id, json_extract(data, '$.organization.org_code') FROM cases
    UNION ALL SELECT id, json_extract(data, '$.organization.other_id') FROM cases
    UNION ALL SELECT id, json_extract(data, '$.organization.legal_rep.id_number') FROM cases
    UNION ALL SELECT id, json_extract(data, '$.handler.id_number') FROM cases
    UNION ALL SELECT id, json_extract(data, '$.handler.mobile') FROM cases
    UNION ALL SELECT c.id, json_extract(e.value, '$.id_number') FROM cases c, json_each(c.data, '$.employees') e
) WHERE v IS NOT NULL AND v != '';
"#;

/// Migration 4: files kept with a case (seal scan, chosen seal images, the issued
/// certificate), append-only like the audit chain; and each account's unfinished intake form.
const M004_FILES: &str = r#"
CREATE TABLE attachments (
    id INTEGER PRIMARY KEY,
    case_number TEXT NOT NULL,
    name TEXT NOT NULL,
    mime TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    bytes BLOB NOT NULL,
    at TEXT NOT NULL,
    actor TEXT NOT NULL
) STRICT;
CREATE INDEX attachments_case ON attachments (case_number, name, id);
CREATE TRIGGER attachments_no_update BEFORE UPDATE ON attachments
BEGIN SELECT RAISE(ABORT, 'attachments are append-only'); END;
CREATE TRIGGER attachments_no_delete BEFORE DELETE ON attachments
BEGIN SELECT RAISE(ABORT, 'attachments are append-only'); END;

CREATE TABLE drafts (
    account TEXT PRIMARY KEY,
    body TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;
"#;

/// Migration 5: each account's display name (姓名), printed on receipts and forms and shown in
/// the UI instead of the login; empty until an administrator or the account sets it.
const M005_DISPLAY_NAMES: &str = r#"
ALTER TABLE accounts ADD COLUMN display_name TEXT NOT NULL DEFAULT '';
"#;

/// Migration 6: the twin of PostgreSQL's migration 6 (its search indexes without a pending
/// list); nothing changes on SQLite, whose FTS5 indexes have none. The lists of both dialects
/// keep one entry per version.
const M006_SEARCH_WITHOUT_PENDING_LIST: &str = r#"
-- PostgreSQL: GIN indexes of case_text without fastupdate; nothing to do on SQLite
"#;

/// Migration 7: passwords per 等保 2.0 level 3 (#30): when each account's password was last set
/// (backfilled with the account's last change) and whether it must be changed at the next
/// sign-in (an administrator set it); the argon2 hashes of each account's last passwords (the
/// current one included, backfilled), so that a new one repeats none of them.
const M007_PASSWORD_AGE_AND_HISTORY: &str = r#"
ALTER TABLE accounts ADD COLUMN password_changed_at TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN must_change INTEGER NOT NULL DEFAULT 0;
UPDATE accounts SET password_changed_at = updated_at;
CREATE TABLE password_history (
    account TEXT NOT NULL,
    hash TEXT NOT NULL,
    set_at TEXT NOT NULL
) STRICT;
CREATE INDEX password_history_account ON password_history (account, set_at);
INSERT INTO password_history (account, hash, set_at) SELECT name, password_hash, updated_at FROM accounts;
"#;

/// Migration 8: retention and purge (#30, docs/design-privacy.md §7): each case's retention
/// basis and its instant (the latest certificate expiry, else the closing or cancelling time;
/// kept by the events that change them, backfilled here from the chain), when it was purged,
/// the cases on legal hold, the personal part of audit events (`audit_personal`, referenced
/// from the event's public detail by a salted digest), and the attachments' trigger replaced
/// by one that allows exactly a purge: the bytes emptied and `purged_at` set, nothing else.
/// Each case's salt of its digest (`salt`: NULL for a case stored before, whose digest stays
/// plain; see `audit::case_digest`).
const M008_RETENTION_AND_PURGE: &str = r#"
ALTER TABLE cases ADD COLUMN retention_from TEXT;
ALTER TABLE cases ADD COLUMN retention_basis TEXT;
ALTER TABLE cases ADD COLUMN purged_at TEXT;
ALTER TABLE cases ADD COLUMN salt TEXT;
UPDATE cases SET
    retention_from = (SELECT e.at FROM audit_events e WHERE e.case_number = cases.number AND e.action IN ('close', 'cancel') ORDER BY e.seq DESC LIMIT 1),
    retention_basis = (SELECT CASE e.action WHEN 'close' THEN 'closed' ELSE 'cancelled' END FROM audit_events e
        WHERE e.case_number = cases.number AND e.action IN ('close', 'cancel') ORDER BY e.seq DESC LIMIT 1);
UPDATE cases SET
    retention_basis = 'certificate_expiry',
    retention_from = (SELECT max(json_extract(e.detail, '$.not_after')) FROM audit_events e
        WHERE e.case_number = cases.number AND e.action IN ('certificate_imported', 'certificate_written', 'encryption_imported'))
WHERE EXISTS (SELECT 1 FROM audit_events e WHERE e.case_number = cases.number
    AND e.action IN ('certificate_imported', 'certificate_written', 'encryption_imported') AND json_extract(e.detail, '$.not_after') IS NOT NULL);
CREATE INDEX cases_retention ON cases (retention_from) WHERE purged_at IS NULL;
CREATE TABLE case_holds (
    case_number TEXT PRIMARY KEY,
    reason TEXT NOT NULL,
    held_by TEXT NOT NULL,
    held_at TEXT NOT NULL
) STRICT;
CREATE TABLE audit_personal (
    seq INTEGER PRIMARY KEY,
    salt TEXT NOT NULL,
    body TEXT NOT NULL
) STRICT;
ALTER TABLE attachments ADD COLUMN purged_at TEXT;
DROP TRIGGER attachments_no_update;
CREATE TRIGGER attachments_no_update BEFORE UPDATE ON attachments
WHEN NOT (OLD.purged_at IS NULL AND NEW.purged_at IS NOT NULL AND length(NEW.bytes) = 0 AND NEW.id = OLD.id
    AND NEW.case_number = OLD.case_number AND NEW.name = OLD.name AND NEW.mime = OLD.mime AND NEW.sha256 = OLD.sha256
    AND NEW.at = OLD.at AND NEW.actor = OLD.actor)
BEGIN SELECT RAISE(ABORT, 'attachments are append-only'); END;
"#;

/// Migration 9: a purge redacts in place the events of a purged case that hashed its personal
/// data in plain (written before #30) or its plain digests (#30, design §7.4): their detail and
/// digests may change once the case is purged, nothing else of any event ever (`audit verify`
/// holds each redacted event to the form its `purged` event recorded).
const M009_REDACT_PURGED_EVENTS: &str = r#"
DROP TRIGGER audit_events_no_update;
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
WHEN NOT (NEW.seq IS OLD.seq AND NEW.at IS OLD.at AND NEW.actor IS OLD.actor AND NEW.action IS OLD.action
    AND NEW.case_number IS OLD.case_number AND NEW.prev_hash IS OLD.prev_hash AND NEW.hash IS OLD.hash
    AND OLD.case_number IS NOT NULL
    AND EXISTS (SELECT 1 FROM cases c WHERE c.number = OLD.case_number AND c.purged_at IS NOT NULL))
BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
"#;

/// Migration 10: staff keys (#31): the enrolments of operator certificates to accounts
/// (append-only but for the one-way end of an enrolment) and the days signed off (日结,
/// append-only).
const M010_STAFF_KEYS: &str = r#"
CREATE TABLE operator_keys (
    id INTEGER PRIMARY KEY,
    account TEXT NOT NULL,
    fingerprint TEXT NOT NULL UNIQUE,
    certificate BLOB NOT NULL,
    chain_pem TEXT NOT NULL,
    algorithm TEXT NOT NULL,
    subject TEXT NOT NULL,
    issuer TEXT NOT NULL,
    serial_hex TEXT NOT NULL,
    not_before TEXT NOT NULL,
    not_after TEXT NOT NULL,
    enrolled_at TEXT NOT NULL,
    enrolled_by TEXT NOT NULL,
    enrolled_seq INTEGER NOT NULL,
    ended_at TEXT,
    ended_by TEXT,
    ended_seq INTEGER,
    end_reason TEXT
) STRICT;
CREATE INDEX operator_keys_account ON operator_keys (account, enrolled_at);
CREATE TRIGGER operator_keys_no_delete BEFORE DELETE ON operator_keys
BEGIN SELECT RAISE(ABORT, 'operator_keys is append-only'); END;
CREATE TRIGGER operator_keys_end_only BEFORE UPDATE ON operator_keys
WHEN NOT (OLD.ended_at IS NULL AND NEW.ended_at IS NOT NULL AND NEW.ended_seq IS NOT NULL AND NEW.ended_by IS NOT NULL
    AND NEW.end_reason IS NOT NULL AND NEW.id IS OLD.id AND NEW.account IS OLD.account AND NEW.fingerprint IS OLD.fingerprint
    AND NEW.certificate IS OLD.certificate AND NEW.chain_pem IS OLD.chain_pem AND NEW.algorithm IS OLD.algorithm
    AND NEW.subject IS OLD.subject AND NEW.issuer IS OLD.issuer AND NEW.serial_hex IS OLD.serial_hex
    AND NEW.not_before IS OLD.not_before AND NEW.not_after IS OLD.not_after AND NEW.enrolled_at IS OLD.enrolled_at
    AND NEW.enrolled_by IS OLD.enrolled_by AND NEW.enrolled_seq IS OLD.enrolled_seq)
BEGIN SELECT RAISE(ABORT, 'an enrolment only ends'); END;
CREATE TABLE day_closes (
    day TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,
    sheet TEXT NOT NULL,
    sheet_sha256 TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    algorithm TEXT NOT NULL,
    signature TEXT NOT NULL
) STRICT;
CREATE TRIGGER day_closes_no_update BEFORE UPDATE ON day_closes
BEGIN SELECT RAISE(ABORT, 'day_closes is append-only'); END;
CREATE TRIGGER day_closes_no_delete BEFORE DELETE ON day_closes
BEGIN SELECT RAISE(ABORT, 'day_closes is append-only'); END;
"#;

/// Migration 11 (#73): the clock facts of a case beside it (its channel, the day its paper came
/// in, the day its money was in, how many materials are to follow, the amount it is to pay), kept by every write from the
/// case data (`certdesk_domain::promise::ClockFacts`), filled here for the cases already stored,
/// and an index that answers the due list from the open statuses alone.
const M011_CASE_CLOCK: &str = r#"
ALTER TABLE cases ADD COLUMN channel TEXT NOT NULL DEFAULT 'counter';
ALTER TABLE cases ADD COLUMN received_on TEXT;
ALTER TABLE cases ADD COLUMN paid_on TEXT;
ALTER TABLE cases ADD COLUMN to_follow INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN amount_fen INTEGER;
UPDATE cases SET
    channel = COALESCE(json_extract(data, '$.channel'), 'counter'),
    received_on = COALESCE(json_extract(data, '$.arrival.date'),
        substr(number, instr(number, '-') + 1, 4) || '-' || substr(number, instr(number, '-') + 5, 2) || '-' || substr(number, instr(number, '-') + 7, 2)),
    to_follow = (SELECT count(*) FROM json_each(cases.data, '$.materials') WHERE trim(COALESCE(json_extract(value, '$.to_follow'), '')) <> '');
UPDATE cases SET amount_fen = CAST(round(CAST(json_extract(data, '$.payment.amount') AS REAL) * 100) AS INTEGER)
    WHERE json_type(data, '$.payment.amount') = 'text';
UPDATE cases SET paid_on = CASE
    WHEN json_type(data, '$.payment') IS NULL OR json_type(data, '$.payment') = 'null' THEN NULL
    WHEN json_extract(data, '$.payment.date') IS NOT NULL THEN json_extract(data, '$.payment.date')
    WHEN json_extract(data, '$.payment.method') = 'bank_transfer' THEN NULL
    ELSE received_on END;
CREATE INDEX cases_clock ON cases (status, project, business, channel, received_on, paid_on, to_follow, amount_fen, number, org_name);
"#;

/// Migration 12 (#73): the bank's credits as imported from the counter account's statements
/// (one row per credit, by its stable id: a statement imported twice adds nothing), what each
/// matched, and which credit paid which case (a case is paid by one credit).
const M012_BANK_CREDITS: &str = r#"
CREATE TABLE bank_credits (
    id TEXT PRIMARY KEY,
    statement TEXT NOT NULL,
    row INTEGER NOT NULL,
    day TEXT NOT NULL,
    amount_fen INTEGER NOT NULL,
    payer_name TEXT NOT NULL,
    payer_account TEXT NOT NULL,
    remark TEXT NOT NULL,
    state TEXT NOT NULL,
    why TEXT NOT NULL,
    proposed TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    imported_by TEXT NOT NULL
) STRICT;
CREATE INDEX bank_credits_state ON bank_credits (state, day);
CREATE TABLE credit_cases (
    case_number TEXT PRIMARY KEY,
    credit TEXT NOT NULL,
    at TEXT NOT NULL,
    actor TEXT NOT NULL
) STRICT;
CREATE INDEX credit_cases_credit ON credit_cases (credit);
"#;

/// Migration 13 (#79): the desktop app's sign-ins, one row per session: the account, the PC
/// (its name), when it began, when the window was last heard of and when it ended. Who is
/// signed in now and each account's last sign-in are read from it; nothing else depends on it.
const M013_SIGN_INS: &str = r#"
CREATE TABLE sign_ins (
    id TEXT PRIMARY KEY,
    account TEXT NOT NULL,
    desk TEXT NOT NULL,
    started_at TEXT NOT NULL,
    seen_at TEXT NOT NULL,
    ended_at TEXT
) STRICT;
CREATE INDEX sign_ins_account ON sign_ins (account, started_at);
CREATE INDEX sign_ins_open ON sign_ins (ended_at, seen_at);
"#;

pub const MIGRATIONS: &[&str] = &[
    M001_CASES,
    M002_ACCOUNTS,
    M003_IDENTS,
    M004_FILES,
    M005_DISPLAY_NAMES,
    M006_SEARCH_WITHOUT_PENDING_LIST,
    M007_PASSWORD_AGE_AND_HISTORY,
    M008_RETENTION_AND_PURGE,
    M009_REDACT_PURGED_EVENTS,
    M010_STAFF_KEYS,
    M011_CASE_CLOCK,
    M012_BANK_CREDITS,
    M013_SIGN_INS,
];

/// What a pinning test says of `migrations` against the released hashes `pinned`: `None` when
/// every migration is pinned and unchanged. Shared by both dialects' tests (SQLite's here,
/// PostgreSQL's in `certdesk-store`'s tests).
pub fn pinning_problem(migrations: &[&str], pinned: &[&str]) -> Option<String> {
    for (i, m) in migrations.iter().enumerate() {
        let got = certdesk_domain::case::sha256_hex(m.as_bytes());
        match pinned.get(i) {
            Some(p) if *p != got => return Some(format!("migration {} was edited (sha256 {got}); add a new migration instead", i + 1)),
            Some(_) => {}
            None => return Some(format!("migration {} is new: pin it as {got:?}", i + 1)),
        }
    }
    None
}

/// One object of `sqlite_schema`: type, name, table, SQL.
pub(crate) type SchemaRow = (String, String, String, Option<String>);

/// The schema the first `version` migrations produce, as [`crate::files::schema_of`] lists it.
pub(crate) fn expected_schema(version: usize) -> Result<Vec<SchemaRow>, crate::StoreError> {
    let conn = rusqlite::Connection::open_in_memory().map_err(crate::sql("building the expected schema"))?;
    for m in &MIGRATIONS[..version.min(MIGRATIONS.len())] {
        conn.execute_batch(m).map_err(crate::sql("building the expected schema"))?;
    }
    crate::files::schema_of(&conn)
}

/// The first object that is missing, extra or different, said for an administrator.
pub(crate) fn first_difference(expected: &[SchemaRow], found: &[SchemaRow]) -> Option<String> {
    for e in expected {
        match found.iter().find(|f| f.0 == e.0 && f.1 == e.1) {
            None => return Some(format!("the {} {} is missing", e.0, e.1)),
            Some(f) if f != e => return Some(format!("the {} {} differs from this build's ({:?})", e.0, e.1, f.3.as_deref().unwrap_or(""))),
            Some(_) => {}
        }
    }
    found.iter().find(|f| !expected.iter().any(|e| e.0 == f.0 && e.1 == f.1)).map(|f| format!("it has an extra {} {} ({:?})", f.0, f.1, f.3.as_deref().unwrap_or("")))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The released migrations, pinned. Never change an existing line: append.
    const PINNED: &[&str] = &[
        "5a9cdbb95f96075f903ddec3f6e7a85fff93ffa06e8fc932b5da41d62ff6eec1",
        "d574f7e5bb5f671585335e60af364864ddbfd645a42d00a5a273b25fa97ac3f9",
        "1f1c6e2217ece75e633888e8f9dabe4901e283566820bff435ca610d1894fb68",
        "5978933a08e2e4e248e20b8d04d1d16bf6962e1182a4d7da02ec6ed1e553befb",
        "097b46e82c02ea1d3b29e3d9a3f451efc6b78b49424cd38138454b030832af0f",
        "b8d2898d8ac37d980d7ecf8b8a6c5e27df08468d7b7785aef2ffdbfd98840874",
        "be86fb62800541e43746b3cdbced8de27e3bb83bdf4eea0513399ca2088024b5",
        "c24228fab58ef5eaea7c9e23ae7feb5ba715d44203d4e8ee1da4eb4b5799cc7f",
        "bad8ab8daa4ff92e0962dc9d32c86083fcc6e335735cbfc207af8152e3f872d9",
        "612f8a04b7344dc0c4665f1979e45a56aac38d7121798f0696a19eccad6e69a2",
        "ddd6306c793e3b96b2cfa03b84ca6e810edbfdf68f5ecd8fd8388ba0455bb1db",
        "5ff6e6ae830871e9ad910917b8dc9eb4fae6c295870a8309e2f0e023c2dd12a8",
        "6cb8022bbc84f42bcec0e24526abf4222b17317973f1a31d3dd7bdc36a17bc22",
    ];

    #[test]
    fn released_migrations_are_never_edited() {
        if let Some(problem) = pinning_problem(MIGRATIONS, PINNED) {
            panic!("{problem}");
        }
    }

    #[test]
    fn migrations_apply_on_an_empty_database() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        for m in MIGRATIONS {
            conn.execute_batch(m).unwrap();
        }
        let n: i64 = conn.query_row("SELECT count(*) FROM sqlite_schema WHERE name = 'cases'", [], |r| r.get(0)).unwrap();
        assert_eq!(n, 1);
    }
}
