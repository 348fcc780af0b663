//! The hall's schema in PostgreSQL's dialect: the same migrations as
//! `certdesk_store::schema` (M001…M007, one entry each, same order, same tables and columns),
//! as a constant list pinned by hash. A migration, once released, is never edited: a change is
//! a new entry at the end. `certdesk_migrations` records each applied migration with its
//! SHA-256, and [`Hall::migrate`] refuses a database where an applied one differs from this
//! build's. Owns every DDL statement of the PostgreSQL back end, and the grants of the desks'
//! role, which owns nothing ([`Hall::grant_desks`]).
//!
//! Translation rules: STRICT tables become proper types (`text`, `integer`, `bigint`,
//! `boolean` stays `integer` 0/1 as the SQLite store reads it, `bytea`); `INTEGER PRIMARY KEY`
//! becomes `bigint GENERATED ALWAYS AS IDENTITY`, except `audit_events.seq`, which the append
//! assigns under the chain lock (a sequence leaves gaps on rollback; the chain may not). Times,
//! case data and event details stay `text`: they are hashed as stored, and `jsonb` or
//! `timestamptz` would re-write them. The two FTS5 tables become one `case_text` row per case
//! with a `pg_trgm` GIN index (any substring of three or more characters) and a `tsvector`
//! of the unigrams and bigrams (one- and two-character queries); `case_idents` keeps the
//! identifier prefixes in a B-tree under the "C" collation, so a typed prefix is a range
//! scan. The append-only triggers refuse UPDATE, DELETE and also TRUNCATE (which SQLite does
//! not have and which skips row triggers).

use super::{Hall, PgError, db};
use certdesk_domain::case::sha256_hex;

/// Migration 1: settings, case numbering, cases, the search table, the audit chain.
const M001_CASES: &str = r#"
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE settings (
    key text PRIMARY KEY,
    value text NOT NULL
);

-- the last sequence number handed out per counter and day
CREATE TABLE case_seq (
    counter text NOT NULL,
    day text NOT NULL,
    last integer NOT NULL,
    PRIMARY KEY (counter, day)
);

CREATE TABLE cases (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    number text NOT NULL UNIQUE,
    project text NOT NULL,
    business text NOT NULL,
    cert_kind text NOT NULL,
    status text NOT NULL,
    org_name text NOT NULL,
    handler_name text NOT NULL,
    data text NOT NULL,
    digest text NOT NULL,
    created_at text NOT NULL,
    updated_at text NOT NULL,
    created_by text NOT NULL,
    updated_by text NOT NULL
);
CREATE INDEX cases_status ON cases (status, id);
CREATE INDEX cases_project ON cases (project, id);
CREATE INDEX cases_created ON cases (created_at);

-- search: `body` for substrings of three or more characters (trigrams), `grams` for one- and
-- two-character queries (CJK unigrams and bigrams, whole ASCII tokens)
CREATE TABLE case_text (
    case_id bigint PRIMARY KEY REFERENCES cases (id),
    body text NOT NULL,
    grams tsvector NOT NULL
);
CREATE INDEX case_text_trgm ON case_text USING gin (body gin_trgm_ops);
CREATE INDEX case_text_grams ON case_text USING gin (grams);

CREATE TABLE audit_events (
    seq bigint PRIMARY KEY,
    at text NOT NULL,
    actor text NOT NULL,
    action text NOT NULL,
    case_number text,
    digest_before text,
    digest_after text,
    detail text NOT NULL,
    prev_hash text NOT NULL,
    hash text NOT NULL
);
CREATE INDEX audit_events_case ON audit_events (case_number, seq);

CREATE FUNCTION certdesk_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '%', TG_ARGV[0] USING ERRCODE = 'restrict_violation';
END
$$;
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
FOR EACH ROW EXECUTE FUNCTION certdesk_append_only('audit_events is append-only');
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
FOR EACH ROW EXECUTE FUNCTION certdesk_append_only('audit_events is append-only');
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
FOR EACH STATEMENT EXECUTE FUNCTION certdesk_append_only('audit_events is append-only');
"#;

/// Migration 2: local accounts (issue "accounts, roles and the second check").
const M002_ACCOUNTS: &str = r#"
CREATE TABLE accounts (
    name text PRIMARY KEY,
    password_hash text NOT NULL,
    roles text NOT NULL,
    failed_logins integer NOT NULL DEFAULT 0,
    locked integer NOT NULL DEFAULT 0,
    disabled integer NOT NULL DEFAULT 0,
    created_at text NOT NULL,
    updated_at text NOT NULL
);
"#;

/// Migration 3: identifier prefixes (USCC, ID numbers, mobiles, case numbers) in a B-tree
/// ("C" collation: `ident LIKE 'PREFIX%'` and `>=`/`<` ranges use it), backfilled from the
/// stored case JSON.
const M003_IDENTS: &str = r#"
CREATE TABLE case_idents (
    ident text COLLATE "C" NOT NULL,
    case_id bigint NOT NULL REFERENCES cases (id),
    PRIMARY KEY (ident, case_id)
);
CREATE INDEX case_idents_case ON case_idents (case_id);
INSERT INTO case_idents (ident, case_id)
SELECT upper(replace(v, '-', '')), id FROM (
    SELECT id, number AS v FROM cases
    UNION ALL SELECT id, data::jsonb #>> '{organization,uscc}' FROM cases
    UNION ALL SELECT id, data::jsonb #>> '{organization,org_code}' FROM cases
    UNION ALL SELECT id, data::jsonb #>> '{organization,other_id}' FROM cases
    UNION ALL SELECT id, data::jsonb #>> '{organization,legal_rep,id_number}' FROM cases
    UNION ALL SELECT id, data::jsonb #>> '{handler,id_number}' FROM cases
    UNION ALL SELECT id, data::jsonb #>> '{handler,mobile}' FROM cases
    UNION ALL SELECT c.id, e ->> 'id_number' FROM cases c,
        jsonb_array_elements(CASE WHEN jsonb_typeof(c.data::jsonb -> 'employees') = 'array' THEN c.data::jsonb -> 'employees' ELSE '[]'::jsonb END) e
) found WHERE v IS NOT NULL AND v <> ''
ON CONFLICT DO NOTHING;
"#;

/// Migration 4: files kept with a case, append-only like the audit chain; and each account's
/// unfinished intake form.
const M004_FILES: &str = r#"
CREATE TABLE attachments (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_number text NOT NULL,
    name text NOT NULL,
    mime text NOT NULL,
    sha256 text NOT NULL,
    bytes bytea NOT NULL,
    at text NOT NULL,
    actor text NOT NULL
);
CREATE INDEX attachments_case ON attachments (case_number, name, id);
CREATE TRIGGER attachments_no_update BEFORE UPDATE ON attachments
FOR EACH ROW EXECUTE FUNCTION certdesk_append_only('attachments are append-only');
CREATE TRIGGER attachments_no_delete BEFORE DELETE ON attachments
FOR EACH ROW EXECUTE FUNCTION certdesk_append_only('attachments are append-only');
CREATE TRIGGER attachments_no_truncate BEFORE TRUNCATE ON attachments
FOR EACH STATEMENT EXECUTE FUNCTION certdesk_append_only('attachments are append-only');

CREATE TABLE drafts (
    account text PRIMARY KEY,
    body text NOT NULL,
    updated_at text NOT NULL
);
"#;

/// Migration 5: each account's display name (姓名).
const M005_DISPLAY_NAMES: &str = r#"
ALTER TABLE accounts ADD COLUMN display_name text NOT NULL DEFAULT '';
"#;

/// Migration 6: the search indexes without GIN's pending list. With `fastupdate` on, new
/// entries wait in a list every search scans linearly until a vacuum merges them (measured:
/// 4 ms instead of 0.1 ms for a rare two-character term after 20,000 new cases); a hall adds a
/// few cases a minute, so inserting straight into the index costs nothing noticeable.
const M006_SEARCH_WITHOUT_PENDING_LIST: &str = r#"
ALTER INDEX case_text_trgm SET (fastupdate = off);
ALTER INDEX case_text_grams SET (fastupdate = off);
"#;

/// Migration 7: passwords per 等保 2.0 level 3 (#30): each account's last password change and
/// whether it must change it at the next sign-in; the hashes of its last passwords.
const M007_PASSWORD_AGE_AND_HISTORY: &str = r#"
ALTER TABLE accounts ADD COLUMN password_changed_at text NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN must_change integer NOT NULL DEFAULT 0;
UPDATE accounts SET password_changed_at = updated_at;
CREATE TABLE password_history (
    account text NOT NULL,
    hash text NOT NULL,
    set_at text NOT NULL
);
CREATE INDEX password_history_account ON password_history (account, set_at);
INSERT INTO password_history (account, hash, set_at) SELECT name, password_hash, updated_at FROM accounts;
"#;

/// Migration 8: retention and purge (#30): the twin of SQLite's migration 8 (retention facts
/// backfilled from the chain, `purged_at`, `case_holds`, `audit_personal`, the attachments'
/// update trigger allowing exactly a purge).
const M008_RETENTION_AND_PURGE: &str = r#"
ALTER TABLE cases ADD COLUMN retention_from text;
ALTER TABLE cases ADD COLUMN retention_basis text;
ALTER TABLE cases ADD COLUMN purged_at text;
ALTER TABLE cases ADD COLUMN salt text;
UPDATE cases SET
    retention_from = (SELECT e.at FROM audit_events e WHERE e.case_number = cases.number AND e.action IN ('close', 'cancel') ORDER BY e.seq DESC LIMIT 1),
    retention_basis = (SELECT CASE e.action WHEN 'close' THEN 'closed' ELSE 'cancelled' END FROM audit_events e
        WHERE e.case_number = cases.number AND e.action IN ('close', 'cancel') ORDER BY e.seq DESC LIMIT 1);
UPDATE cases SET
    retention_basis = 'certificate_expiry',
    retention_from = (SELECT max(e.detail::jsonb ->> 'not_after') FROM audit_events e
        WHERE e.case_number = cases.number AND e.action IN ('certificate_imported', 'certificate_written', 'encryption_imported'))
WHERE EXISTS (SELECT 1 FROM audit_events e WHERE e.case_number = cases.number
    AND e.action IN ('certificate_imported', 'certificate_written', 'encryption_imported') AND (e.detail::jsonb ->> 'not_after') IS NOT NULL);
CREATE INDEX cases_retention ON cases (retention_from) WHERE purged_at IS NULL;
CREATE TABLE case_holds (
    case_number text PRIMARY KEY,
    reason text NOT NULL,
    held_by text NOT NULL,
    held_at text NOT NULL
);
CREATE TABLE audit_personal (
    seq bigint PRIMARY KEY,
    salt text NOT NULL,
    body text NOT NULL
);
ALTER TABLE attachments ADD COLUMN purged_at text;
CREATE FUNCTION certdesk_attachment_purge_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.purged_at IS NULL AND NEW.purged_at IS NOT NULL AND length(NEW.bytes) = 0 AND NEW.id = OLD.id
        AND NEW.case_number = OLD.case_number AND NEW.name = OLD.name AND NEW.mime = OLD.mime AND NEW.sha256 = OLD.sha256
        AND NEW.at = OLD.at AND NEW.actor = OLD.actor THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'attachments are append-only' USING ERRCODE = 'restrict_violation';
END
$$;
DROP TRIGGER attachments_no_update ON attachments;
CREATE TRIGGER attachments_no_update BEFORE UPDATE ON attachments
FOR EACH ROW EXECUTE FUNCTION certdesk_attachment_purge_only();
"#;

/// Migration 9: a purge redacts in place the events of a purged case that hashed its personal
/// data in plain or its plain digests (#30): their detail and digests may change once the case
/// is purged, nothing else of any event ever.
const M009_REDACT_PURGED_EVENTS: &str = r#"
CREATE FUNCTION certdesk_audit_redact_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.seq = OLD.seq AND NEW.at = OLD.at AND NEW.actor = OLD.actor AND NEW.action = OLD.action
        AND NEW.case_number IS NOT DISTINCT FROM OLD.case_number AND NEW.prev_hash = OLD.prev_hash AND NEW.hash = OLD.hash
        AND OLD.case_number IS NOT NULL
        AND EXISTS (SELECT 1 FROM cases c WHERE c.number = OLD.case_number AND c.purged_at IS NOT NULL) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit_events is append-only' USING ERRCODE = 'restrict_violation';
END
$$;
DROP TRIGGER audit_events_no_update ON audit_events;
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
FOR EACH ROW EXECUTE FUNCTION certdesk_audit_redact_only();
"#;

/// Migration 10: staff keys (#31): the twin of SQLite's migration 10 (enrolments that only
/// ever end, days signed off that never change).
const M010_STAFF_KEYS: &str = r#"
CREATE TABLE operator_keys (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account text NOT NULL,
    fingerprint text NOT NULL UNIQUE,
    certificate bytea NOT NULL,
    chain_pem text NOT NULL,
    algorithm text NOT NULL,
    subject text NOT NULL,
    issuer text NOT NULL,
    serial_hex text NOT NULL,
    not_before text NOT NULL,
    not_after text NOT NULL,
    enrolled_at text NOT NULL,
    enrolled_by text NOT NULL,
    enrolled_seq bigint NOT NULL,
    ended_at text,
    ended_by text,
    ended_seq bigint,
    end_reason text
);
CREATE INDEX operator_keys_account ON operator_keys (account, enrolled_at);
CREATE FUNCTION certdesk_enrolment_end_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.ended_at IS NULL AND NEW.ended_at IS NOT NULL AND NEW.ended_seq IS NOT NULL AND NEW.ended_by IS NOT NULL
        AND NEW.end_reason IS NOT NULL AND NEW.id = OLD.id AND NEW.account = OLD.account AND NEW.fingerprint = OLD.fingerprint
        AND NEW.certificate = OLD.certificate AND NEW.chain_pem = OLD.chain_pem AND NEW.algorithm = OLD.algorithm
        AND NEW.subject = OLD.subject AND NEW.issuer = OLD.issuer AND NEW.serial_hex = OLD.serial_hex
        AND NEW.not_before = OLD.not_before AND NEW.not_after = OLD.not_after AND NEW.enrolled_at = OLD.enrolled_at
        AND NEW.enrolled_by = OLD.enrolled_by AND NEW.enrolled_seq = OLD.enrolled_seq THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'an enrolment only ends' USING ERRCODE = 'restrict_violation';
END
$$;
CREATE TRIGGER operator_keys_end_only BEFORE UPDATE ON operator_keys
FOR EACH ROW EXECUTE FUNCTION certdesk_enrolment_end_only();
CREATE TRIGGER operator_keys_no_delete BEFORE DELETE ON operator_keys
FOR EACH ROW EXECUTE FUNCTION certdesk_append_only('operator_keys is append-only');
CREATE TRIGGER operator_keys_no_truncate BEFORE TRUNCATE ON operator_keys
FOR EACH STATEMENT EXECUTE FUNCTION certdesk_append_only('operator_keys is append-only');
CREATE TABLE day_closes (
    day text PRIMARY KEY,
    seq bigint NOT NULL,
    sheet text NOT NULL,
    sheet_sha256 text NOT NULL,
    fingerprint text NOT NULL,
    algorithm text NOT NULL,
    signature text NOT NULL
);
CREATE TRIGGER day_closes_no_update BEFORE UPDATE ON day_closes
FOR EACH ROW EXECUTE FUNCTION certdesk_append_only('day_closes is append-only');
CREATE TRIGGER day_closes_no_delete BEFORE DELETE ON day_closes
FOR EACH ROW EXECUTE FUNCTION certdesk_append_only('day_closes is append-only');
CREATE TRIGGER day_closes_no_truncate BEFORE TRUNCATE ON day_closes
FOR EACH STATEMENT EXECUTE FUNCTION certdesk_append_only('day_closes is append-only');
"#;

/// The migrations, in order; entry `i` is SQLite's migration `i + 1` in this dialect.
/// Migration 11 (#73): the clock facts of a case beside it, as SQLite's migration 11.
const M011_CASE_CLOCK: &str = r#"
ALTER TABLE cases ADD COLUMN channel text NOT NULL DEFAULT 'counter';
ALTER TABLE cases ADD COLUMN received_on text;
ALTER TABLE cases ADD COLUMN paid_on text;
ALTER TABLE cases ADD COLUMN to_follow integer NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN amount_fen bigint;
UPDATE cases SET
    channel = COALESCE(data::jsonb ->> 'channel', 'counter'),
    received_on = COALESCE(data::jsonb -> 'arrival' ->> 'date', to_char(to_date(split_part(number, '-', 2), 'YYYYMMDD'), 'YYYY-MM-DD')),
    to_follow = CASE WHEN jsonb_typeof(data::jsonb -> 'materials') = 'array'
        THEN (SELECT count(*) FROM jsonb_array_elements(data::jsonb -> 'materials') m WHERE trim(COALESCE(m ->> 'to_follow', '')) <> '')
        ELSE 0 END;
UPDATE cases SET amount_fen = round((data::jsonb -> 'payment' ->> 'amount')::numeric * 100)::bigint
    WHERE jsonb_typeof(data::jsonb -> 'payment' -> 'amount') = 'string';
UPDATE cases SET paid_on = CASE
    WHEN jsonb_typeof(data::jsonb -> 'payment') IS DISTINCT FROM 'object' THEN NULL
    WHEN data::jsonb -> 'payment' ->> 'date' IS NOT NULL THEN data::jsonb -> 'payment' ->> 'date'
    WHEN data::jsonb -> 'payment' ->> 'method' = 'bank_transfer' THEN NULL
    ELSE received_on END;
CREATE INDEX cases_clock ON cases (status, project, business, channel, received_on, paid_on, to_follow, amount_fen, number, org_name);
"#;

/// Migration 12 (#73): the bank's credits and which credit paid which case, as SQLite's.
const M012_BANK_CREDITS: &str = r#"
CREATE TABLE bank_credits (
    id text PRIMARY KEY,
    statement text NOT NULL,
    row bigint NOT NULL,
    day text NOT NULL,
    amount_fen bigint NOT NULL,
    payer_name text NOT NULL,
    payer_account text NOT NULL,
    remark text NOT NULL,
    state text NOT NULL,
    why text NOT NULL,
    proposed text NOT NULL,
    imported_at text NOT NULL,
    imported_by text NOT NULL
);
CREATE INDEX bank_credits_state ON bank_credits (state, day);
CREATE TABLE credit_cases (
    case_number text PRIMARY KEY,
    credit text NOT NULL,
    at text NOT NULL,
    actor text NOT NULL
);
CREATE INDEX credit_cases_credit ON credit_cases (credit);
"#;

/// Migration 13 (#79): the desktop app's sign-ins, as SQLite's.
const M013_SIGN_INS: &str = r#"
CREATE TABLE sign_ins (
    id text PRIMARY KEY,
    account text NOT NULL,
    desk text NOT NULL,
    started_at text NOT NULL,
    seen_at text NOT NULL,
    ended_at text
);
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

/// The advisory lock held while migrating, so two desks starting at once do not both migrate.
const MIGRATE_LOCK: i64 = super::chain::CHAIN_LOCK + 1;

/// The tables whose rows are never changed nor removed (the append-only triggers'): a desk's
/// role may only read and add to them.
pub const APPEND_ONLY: &[&str] = &["audit_events", "attachments", "operator_keys", "day_closes"];

/// Checks the applied migrations (`version`, `sha256`) against this build's; returns how many.
fn check_applied(applied: &[postgres::Row]) -> Result<usize, PgError> {
    for row in applied {
        let (version, found): (i32, String) = (row.get(0), row.get(1));
        let Some(m) = usize::try_from(version).ok().and_then(|v| v.checked_sub(1)).and_then(|i| MIGRATIONS.get(i)) else {
            return Err(PgError::TooNew { found: version, known: MIGRATIONS.len() });
        };
        let expected = sha256_hex(m.as_bytes());
        if found != expected {
            return Err(PgError::MigrationEdited { version, found, expected });
        }
    }
    Ok(applied.len())
}

/// What a hall's database holds, read without changing it (the admin desk checks a hall before
/// choosing it; the schema is brought up to date when a desk opens it).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Inspection {
    /// migrations applied to the database
    pub applied: usize,
    /// migrations this build has: more than `applied`, and the next opening migrates
    pub known: usize,
    /// cases and accounts, 0 where the tables are not made yet
    pub cases: i64,
    pub accounts: i64,
}

impl Hall {
    /// Reads the applied migrations (refusing an edited or a newer one, as migrating would) and
    /// counts cases and accounts, in one read-only transaction: nothing is created or changed.
    pub fn inspect(&mut self) -> Result<Inspection, PgError> {
        let mut tx = self.client.build_transaction().read_only(true).start().map_err(db("reading the hall"))?;
        let present: bool = tx.query_one("SELECT to_regclass('certdesk_migrations') IS NOT NULL", &[]).map_err(db("reading the applied migrations"))?.get(0);
        let applied = if present {
            let rows = tx.query("SELECT version, sha256 FROM certdesk_migrations ORDER BY version", &[]).map_err(db("reading the applied migrations"))?;
            check_applied(&rows)?
        } else {
            0
        };
        let count = |tx: &mut postgres::Transaction<'_>, table: &str| -> Result<i64, PgError> {
            let exists: bool = tx.query_one("SELECT to_regclass($1) IS NOT NULL", &[&table]).map_err(db("reading the hall"))?.get(0);
            if !exists {
                return Ok(0);
            }
            Ok(tx.query_one(&format!("SELECT count(*) FROM {table}"), &[]).map_err(db("counting"))?.get(0))
        };
        let (cases, accounts) = (count(&mut tx, "cases")?, count(&mut tx, "accounts")?);
        tx.commit().map_err(db("reading the hall"))?;
        Ok(Inspection { applied, known: MIGRATIONS.len(), cases, accounts })
    }
}

/// A role name as an SQL identifier, quoted.
fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// What [`Hall::grant_desks`] gave a role, table by table.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Granted {
    pub role: String,
    pub database: String,
    /// `(table, privileges)`
    pub tables: Vec<(String, String)>,
}

impl Hall {
    /// Brings the database to this build's schema in one transaction; returns how many
    /// migrations it applied. Refuses a database with an applied migration that is not this
    /// build's ([`PgError::MigrationEdited`]) or one this build does not know. A schema already
    /// up to date is only read, so a desk's role that owns nothing opens it; one that needs
    /// migrating and is not the tables' owner is [`PgError::NotOwner`].
    pub fn migrate(&mut self) -> Result<usize, PgError> {
        let present: bool = self.client.query_one("SELECT to_regclass('certdesk_migrations') IS NOT NULL", &[]).map_err(db("reading the applied migrations"))?.get(0);
        if present {
            let applied = self.client.query("SELECT version, sha256 FROM certdesk_migrations ORDER BY version", &[]).map_err(db("reading the applied migrations"))?;
            if check_applied(&applied)? == MIGRATIONS.len() {
                return Ok(0);
            }
        }
        let not_owner = |found: usize| {
            move |source: postgres::Error| {
                if source.code() == Some(&postgres::error::SqlState::INSUFFICIENT_PRIVILEGE) {
                    PgError::NotOwner { found, known: MIGRATIONS.len() }
                } else {
                    db("migrating")(source)
                }
            }
        };
        let mut tx = self.client.transaction().map_err(db("migrating"))?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATE_LOCK]).map_err(db("waiting to migrate"))?;
        tx.batch_execute("CREATE TABLE IF NOT EXISTS certdesk_migrations (version integer PRIMARY KEY, sha256 text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())")
            .map_err(not_owner(0))?;
        let applied = tx.query("SELECT version, sha256 FROM certdesk_migrations ORDER BY version", &[]).map_err(db("reading the applied migrations"))?;
        let done = check_applied(&applied)?;
        for (i, m) in MIGRATIONS.iter().enumerate().skip(done) {
            let version = i32::try_from(i + 1).map_err(|_| PgError::Internal { what: "too many migrations" })?;
            tx.batch_execute(m).map_err(not_owner(done))?;
            tx.execute("INSERT INTO certdesk_migrations (version, sha256) VALUES ($1, $2)", &[&version, &sha256_hex(m.as_bytes())]).map_err(not_owner(done))?;
        }
        tx.commit().map_err(db("migrating"))?;
        Ok(MIGRATIONS.len() - done)
    }

    /// Gives `role` (a desk's login role, which owns nothing) what a desk needs and no more,
    /// run as the tables' owner after migrating: to connect, to read every table, to add to
    /// and change the working tables, only to read and add to the append-only ones (so a desk
    /// can neither disable their triggers, truncate, alter nor drop anything), only to read
    /// the migrations. In one transaction; run it again after an upgrade that adds tables.
    pub fn grant_desks(&mut self, role: &str) -> Result<Granted, PgError> {
        let role = role.trim();
        if role.is_empty() {
            return Err(PgError::DesksRoleMissing);
        }
        let mut tx = self.client.transaction().map_err(db("granting the desks' role"))?;
        let (me, database, schema): (String, String, String) = tx
            .query_one("SELECT current_user::text, current_database()::text, current_schema()::text", &[])
            .map(|r| (r.get(0), r.get(1), r.get(2)))
            .map_err(db("granting the desks' role"))?;
        if me == role {
            return Err(PgError::DesksRoleIsOwner { role: role.to_string() });
        }
        let exists: bool = tx.query_one("SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)", &[&role]).map_err(db("granting the desks' role"))?.get(0);
        if !exists {
            return Err(PgError::NoSuchRole { role: role.to_string() });
        }
        let tables: Vec<String> = tx
            .query("SELECT tablename::text FROM pg_tables WHERE schemaname = current_schema() AND tableowner = current_user ORDER BY tablename", &[])
            .map_err(db("granting the desks' role"))?
            .iter()
            .map(|r| r.get(0))
            .collect();
        if !tables.iter().any(|t| t == "certdesk_migrations") {
            return Err(PgError::OwnsNoTables { me, database });
        }
        let to = quoted(role);
        let mut statements = vec![format!("GRANT CONNECT ON DATABASE {} TO {to}", quoted(&database)), format!("GRANT USAGE ON SCHEMA {} TO {to}", quoted(&schema))];
        let mut granted = Vec::new();
        for table in &tables {
            let privileges = match table.as_str() {
                "certdesk_migrations" => "SELECT",
                // a purge empties a file's bytes and dates it (the trigger allows nothing else)
                "attachments" => "SELECT, INSERT, UPDATE (bytes, purged_at)",
                // a purge redacts a purged case's events in place (the trigger allows nothing else)
                "audit_events" => "SELECT, INSERT, UPDATE (detail, digest_before, digest_after)",
                // an enrolment only ends (the trigger allows nothing else); a closed day never changes
                "operator_keys" => "SELECT, INSERT, UPDATE (ended_at, ended_by, ended_seq, end_reason)",
                "day_closes" => "SELECT, INSERT",
                t if APPEND_ONLY.contains(&t) => "SELECT, INSERT",
                _ => "SELECT, INSERT, UPDATE, DELETE",
            };
            // what a role was given before and should no longer have goes first
            statements.push(format!("REVOKE ALL ON TABLE {} FROM {to}", quoted(table)));
            statements.push(format!("GRANT {privileges} ON TABLE {} TO {to}", quoted(table)));
            granted.push((table.clone(), privileges.to_string()));
        }
        statements.push(format!("GRANT USAGE ON ALL SEQUENCES IN SCHEMA {} TO {to}", quoted(&schema)));
        for statement in &statements {
            tx.batch_execute(statement).map_err(db("granting the desks' role"))?;
        }
        tx.commit().map_err(db("granting the desks' role"))?;
        Ok(Granted { role: role.to_string(), database, tables: granted })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The released PostgreSQL migrations, pinned. Never change an existing line: append.
    const PINNED: &[&str] = &[
        "7fcf80ba0293c6957a90c25493136b4931f7ff61d0fcd7e7fb1a838ca9c013d3",
        "c2be1dc746e8da0845e69935867c041df1c0ecd03142974675dbb5e35d667d4b",
        "3f2c552749297fac3cfd6cc47816c63d8b19a89c2eb0960fc0609e00699c730c",
        "2b369a305652756aa9bdbb0ac9b02ffb1f6bb6d7bc3c761fc1e19f0b8dd0a4f1",
        "cc7c1f1e8edac96e0a82a4cd922398feb3a903d0267fbb4dff2785d08e7bcaf6",
        "aa5fb0c8e3fadd127ee6811f5968662e4521ce7fbb49c4ba79e09ef8ca5637b0",
        "4582d1ed92679690bfa8907470f8c7b0ae307c41a4690afad628d5639c344d0e",
        "47435bb93de057207cdac20df2340afa368be01ce4460b4b90695fcbae648cb6",
        "91b87e6c0997b14d159801a67e4ba419cf8950e18400a39f5ec761f081cf711a",
        "9a286840029c708d6ac099c2ef4eddd5292285470e703a73784f1d6a5eb71a38",
        "5bb0938da4ed02da2dac2e1528c6037ed829bcc11df114b55a49ba6de860bade",
        "2668e56fb85b45cd1346a8d2c9cebc171b5216b4ba1ba8f0240f8bb630aeb593",
        "3ce124dc5345e911d2059ba792af4af8ab5873a80991b4fc7887f85a45987be0",
    ];

    #[test]
    fn released_migrations_are_never_edited() {
        if let Some(problem) = crate::schema::pinning_problem(MIGRATIONS, PINNED) {
            panic!("{problem}");
        }
    }

    #[test]
    fn both_dialects_have_the_same_migrations() {
        assert_eq!(MIGRATIONS.len(), crate::schema::MIGRATIONS.len(), "a migration added to one dialect needs its twin in the other");
    }
}
