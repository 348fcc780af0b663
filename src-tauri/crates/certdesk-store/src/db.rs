//! The seam between the store's rules and its two back ends (docs/pg-hall.md). Owns the
//! private [`Sql`] trait every statement of the store runs through — run a statement, read its
//! rows — with one body for SQLite (a rusqlite connection or transaction) and one for
//! PostgreSQL (a `postgres` client or transaction), the neutral values and rows that cross it,
//! and the write transaction [`Tx`] (the write lock taken first, then the clock) that both back
//! ends hand to the store's closures. Statements are written once with `?1`-style placeholders
//! (turned into `$1` for PostgreSQL); the few that differ by dialect (search, JSON fields,
//! digests of blobs) ask [`Sql::dialect`]. Does not hold any rule of the store, and does not
//! know which tables exist.

use crate::StoreError;
use crate::pg::{self, PgError};
use postgres::types::{FromSql, IsNull, ToSql, Type};
use std::collections::HashMap;

/// Which SQL a statement must be written in, where the two differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    Sqlite,
    Postgres,
}

/// A value passed to or read from a statement. Integers of any width are `Int`; booleans read
/// from PostgreSQL are `Int` 0/1, as SQLite has them.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Val {
    Null,
    Int(i64),
    Text(String),
    Blob(Vec<u8>),
}

impl From<&Val> for crate::refusal::StoredValue {
    fn from(v: &Val) -> Self {
        match v {
            Val::Null => Self::Null,
            Val::Int(i) => Self::Int(*i),
            Val::Text(t) => Self::Text(t.clone()),
            Val::Blob(b) => Self::Blob(b.clone()),
        }
    }
}

impl From<&str> for Val {
    fn from(s: &str) -> Val {
        Val::Text(s.to_string())
    }
}
impl From<String> for Val {
    fn from(s: String) -> Val {
        Val::Text(s)
    }
}
impl From<&String> for Val {
    fn from(s: &String) -> Val {
        Val::Text(s.clone())
    }
}
impl From<i64> for Val {
    fn from(i: i64) -> Val {
        Val::Int(i)
    }
}
impl From<&[u8]> for Val {
    fn from(b: &[u8]) -> Val {
        Val::Blob(b.to_vec())
    }
}
impl<T: Into<Val>> From<Option<T>> for Val {
    fn from(v: Option<T>) -> Val {
        v.map_or(Val::Null, Into::into)
    }
}

/// The arguments of a statement: `args![a, b]`.
macro_rules! args {
    ($($v:expr),* $(,)?) => { &[$($crate::db::Val::from($v)),*][..] };
}
pub(crate) use args;

/// One row read back.
#[derive(Debug, Clone)]
pub(crate) struct Row(Vec<Val>);

impl Row {
    /// The text of column `i` moved out of the row (left empty): for reads of many rows.
    pub(crate) fn take_text(&mut self, i: usize) -> Result<String, StoreError> {
        match self.0.get_mut(i) {
            Some(Val::Text(s)) => Ok(std::mem::take(s)),
            _ => Err(self.mismatch(i, "text")),
        }
    }

    pub(crate) fn val(&self, i: usize) -> Result<&Val, StoreError> {
        self.0.get(i).ok_or_else(|| StoreError::Internal { what: "the statement returned no such column", detail: i.to_string() })
    }

    fn mismatch(&self, i: usize, wanted: &str) -> StoreError {
        StoreError::Internal { what: "a column of another type", detail: format!("column {i} is not {wanted}: {:?}", self.0.get(i)) }
    }

    pub(crate) fn text(&self, i: usize) -> Result<String, StoreError> {
        match self.val(i)? {
            Val::Text(s) => Ok(s.clone()),
            _ => Err(self.mismatch(i, "text")),
        }
    }

    pub(crate) fn opt_text(&self, i: usize) -> Result<Option<String>, StoreError> {
        match self.val(i)? {
            Val::Null => Ok(None),
            Val::Text(s) => Ok(Some(s.clone())),
            _ => Err(self.mismatch(i, "text or null")),
        }
    }

    pub(crate) fn opt_int(&self, i: usize) -> Result<Option<i64>, StoreError> {
        match self.val(i)? {
            Val::Null => Ok(None),
            Val::Int(n) => Ok(Some(*n)),
            _ => Err(self.mismatch(i, "integer or null")),
        }
    }

    pub(crate) fn int(&self, i: usize) -> Result<i64, StoreError> {
        match self.val(i)? {
            Val::Int(n) => Ok(*n),
            _ => Err(self.mismatch(i, "an integer")),
        }
    }

    pub(crate) fn blob(&self, i: usize) -> Result<Vec<u8>, StoreError> {
        match self.val(i)? {
            Val::Blob(b) => Ok(b.clone()),
            _ => Err(self.mismatch(i, "bytes")),
        }
    }
}

/// Every statement of the store runs through this: one body per back end.
pub(crate) trait Sql {
    fn dialect(&self) -> Dialect;
    /// Runs a statement; how many rows it changed.
    fn exec(&mut self, op: &'static str, sql: &str, args: &[Val]) -> Result<u64, StoreError>;
    /// Every row of a query.
    fn rows(&mut self, op: &'static str, sql: &str, args: &[Val]) -> Result<Vec<Row>, StoreError>;
    /// Each row of a query in turn, without holding them all (the audit chain); `each` says
    /// whether to go on.
    fn each(&mut self, op: &'static str, sql: &str, args: &[Val], each: &mut dyn FnMut(Row) -> Result<bool, StoreError>) -> Result<(), StoreError>;

    /// The first row, if any.
    fn row(&mut self, op: &'static str, sql: &str, args: &[Val]) -> Result<Option<Row>, StoreError> {
        Ok(self.rows(op, sql, args)?.into_iter().next())
    }

    /// The one row a query must return.
    fn one(&mut self, op: &'static str, sql: &str, args: &[Val]) -> Result<Row, StoreError> {
        self.row(op, sql, args)?.ok_or_else(|| StoreError::Internal { what: "no row", detail: op.to_string() })
    }
}

impl<T: Sql + ?Sized> Sql for &mut T {
    fn dialect(&self) -> Dialect {
        (**self).dialect()
    }
    fn exec(&mut self, op: &'static str, sql: &str, args: &[Val]) -> Result<u64, StoreError> {
        (**self).exec(op, sql, args)
    }
    fn rows(&mut self, op: &'static str, sql: &str, args: &[Val]) -> Result<Vec<Row>, StoreError> {
        (**self).rows(op, sql, args)
    }
    fn each(&mut self, op: &'static str, sql: &str, args: &[Val], each: &mut dyn FnMut(Row) -> Result<bool, StoreError>) -> Result<(), StoreError> {
        (**self).each(op, sql, args, each)
    }
}

// ---- SQLite ----

impl rusqlite::ToSql for Val {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        Ok(ToSqlOutput::Borrowed(match self {
            Val::Null => ValueRef::Null,
            Val::Int(i) => ValueRef::Integer(*i),
            Val::Text(s) => ValueRef::Text(s.as_bytes()),
            Val::Blob(b) => ValueRef::Blob(b),
        }))
    }
}

fn lite_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
    use rusqlite::types::ValueRef;
    let n = r.as_ref().column_count();
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        out.push(match r.get_ref(i)? {
            ValueRef::Null => Val::Null,
            ValueRef::Integer(v) => Val::Int(v),
            // the store has no REAL column; a real read back (json_extract of a number) as text
            ValueRef::Real(v) => Val::Text(v.to_string()),
            ValueRef::Text(t) => Val::Text(String::from_utf8_lossy(t).into_owned()),
            ValueRef::Blob(b) => Val::Blob(b.to_vec()),
        });
    }
    Ok(Row(out))
}

/// A SQLite connection (or a transaction on it, which derefs to one).
pub(crate) struct Lite<'c>(pub(crate) &'c rusqlite::Connection);

impl Sql for Lite<'_> {
    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }

    fn exec(&mut self, op: &'static str, sql: &str, args: &[Val]) -> Result<u64, StoreError> {
        let mut stmt = self.0.prepare_cached(sql).map_err(crate::sql(op))?;
        stmt.execute(rusqlite::params_from_iter(args.iter())).map(|n| n as u64).map_err(crate::sql(op))
    }

    fn rows(&mut self, op: &'static str, sql: &str, args: &[Val]) -> Result<Vec<Row>, StoreError> {
        let mut stmt = self.0.prepare_cached(sql).map_err(crate::sql(op))?;
        let rows = stmt.query_map(rusqlite::params_from_iter(args.iter()), lite_row).map_err(crate::sql(op))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(crate::sql(op))
    }

    fn each(&mut self, op: &'static str, sql: &str, args: &[Val], each: &mut dyn FnMut(Row) -> Result<bool, StoreError>) -> Result<(), StoreError> {
        let mut stmt = self.0.prepare(sql).map_err(crate::sql(op))?;
        let mut rows = stmt.query(rusqlite::params_from_iter(args.iter())).map_err(crate::sql(op))?;
        while let Some(r) = rows.next().map_err(crate::sql(op))? {
            if !each(lite_row(r).map_err(crate::sql(op))?)? {
                break;
            }
        }
        Ok(())
    }
}

// ---- PostgreSQL ----

impl ToSql for Val {
    fn to_sql(&self, ty: &Type, out: &mut postgres::types::private::BytesMut) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match self {
            Val::Null => Ok(IsNull::Yes),
            Val::Int(i) => match *ty {
                Type::INT2 => i16::try_from(*i)?.to_sql(ty, out),
                Type::INT4 => i32::try_from(*i)?.to_sql(ty, out),
                Type::BOOL => (*i != 0).to_sql(ty, out),
                Type::TEXT | Type::VARCHAR => i.to_string().to_sql(ty, out),
                _ => i.to_sql(ty, out),
            },
            Val::Text(s) => s.to_sql(ty, out),
            Val::Blob(b) => b.to_sql(ty, out),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    postgres::types::to_sql_checked!();
}

impl<'a> FromSql<'a> for Val {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> Result<Val, Box<dyn std::error::Error + Sync + Send>> {
        Ok(match *ty {
            Type::INT2 => Val::Int(i16::from_sql(ty, raw)?.into()),
            Type::INT4 => Val::Int(i32::from_sql(ty, raw)?.into()),
            Type::INT8 => Val::Int(i64::from_sql(ty, raw)?),
            Type::BOOL => Val::Int(bool::from_sql(ty, raw)?.into()),
            Type::BYTEA => Val::Blob(Vec::<u8>::from_sql(ty, raw)?),
            _ => Val::Text(String::from_sql(ty, raw)?),
        })
    }

    fn from_sql_null(_: &Type) -> Result<Val, Box<dyn std::error::Error + Sync + Send>> {
        Ok(Val::Null)
    }

    fn accepts(ty: &Type) -> bool {
        matches!(*ty, Type::INT2 | Type::INT4 | Type::INT8 | Type::BOOL | Type::BYTEA) || <String as FromSql>::accepts(ty)
    }
}

fn pg_row(r: &postgres::Row) -> Result<Row, postgres::Error> {
    (0..r.len()).map(|i| r.try_get::<_, Val>(i)).collect::<Result<Vec<_>, _>>().map(Row)
}

/// `?1` placeholders as PostgreSQL's `$1` (the store's SQL has no `?` in its literals).
pub(crate) fn dollars(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '?' && chars.peek().is_some_and(char::is_ascii_digit) {
            out.push('$');
        } else {
            out.push(c);
        }
    }
    out
}

/// Statements prepared on one connection, by their text (a prepared statement saves the
/// round trip of parsing on every call).
pub(crate) type Prepared = HashMap<String, postgres::Statement>;

/// A PostgreSQL client or transaction, with the statements prepared on its connection.
pub(crate) struct Pg<'c, C: postgres::GenericClient> {
    pub(crate) client: &'c mut C,
    pub(crate) prepared: &'c mut Prepared,
}

impl<C: postgres::GenericClient> Pg<'_, C> {
    fn statement(&mut self, op: &'static str, sql: &str) -> Result<postgres::Statement, StoreError> {
        if let Some(s) = self.prepared.get(sql) {
            return Ok(s.clone());
        }
        let s = self.client.prepare(&dollars(sql)).map_err(pg::db(op))?;
        self.prepared.insert(sql.to_string(), s.clone());
        Ok(s)
    }
}

fn refs(args: &[Val]) -> Vec<&(dyn ToSql + Sync)> {
    args.iter().map(|a| a as &(dyn ToSql + Sync)).collect()
}

impl<C: postgres::GenericClient> Sql for Pg<'_, C> {
    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }

    fn exec(&mut self, op: &'static str, sql: &str, args: &[Val]) -> Result<u64, StoreError> {
        let stmt = self.statement(op, sql)?;
        Ok(self.client.execute(&stmt, &refs(args)).map_err(pg::db(op))?)
    }

    fn rows(&mut self, op: &'static str, sql: &str, args: &[Val]) -> Result<Vec<Row>, StoreError> {
        let stmt = self.statement(op, sql)?;
        let rows = self.client.query(&stmt, &refs(args)).map_err(pg::db(op))?;
        Ok(rows.iter().map(pg_row).collect::<Result<Vec<_>, _>>().map_err(pg::db(op))?)
    }

    fn each(&mut self, op: &'static str, sql: &str, args: &[Val], each: &mut dyn FnMut(Row) -> Result<bool, StoreError>) -> Result<(), StoreError> {
        use postgres::fallible_iterator::FallibleIterator;
        let stmt = self.statement(op, sql)?;
        let mut rows = self.client.query_raw(&stmt, args.iter()).map_err(pg::db(op))?;
        while let Some(r) = rows.next().map_err(pg::db(op))? {
            if !each(pg_row(&r).map_err(pg::db(op))?)? {
                break;
            }
        }
        Ok(())
    }
}

impl From<PgError> for StoreError {
    fn from(e: PgError) -> StoreError {
        StoreError::Server(Box::new(e))
    }
}

// ---- the write transaction ----

/// A change in progress on either back end: the transaction, holding the write lock, and the
/// time of its events (taken after the lock, never earlier than the chain's head).
pub(crate) struct Tx<'a> {
    pub(crate) db: &'a mut dyn Sql,
    pub(crate) at: String,
    /// The last event this change appended: a hall whose commit went unanswered (or waited
    /// too long for a standby) looks for it to learn whether the change was written.
    pub(crate) appended: Option<Appended>,
}

/// An event appended in a write transaction, as the hall looks for it after its commit.
#[derive(Debug, Clone)]
pub(crate) struct Appended {
    pub(crate) seq: i64,
    pub(crate) hash: String,
    /// what the change was, for the desk's message: the event's action and case
    pub(crate) what: String,
}

impl<'a> Tx<'a> {
    /// Takes the clock on a transaction that holds the write lock already.
    pub(crate) fn begin(db: &'a mut dyn Sql) -> Result<Tx<'a>, StoreError> {
        let at = crate::audit::clock(db)?;
        Ok(Tx { db, at, appended: None })
    }

    /// Appends one event at this change's time; returns its seq.
    pub(crate) fn append(&mut self, ev: &crate::NewEvent<'_>) -> Result<i64, StoreError> {
        let (seq, hash) = crate::audit::append(self.db, &self.at, ev)?;
        if let Some(number) = ev.case_number {
            crate::purge::refresh_retention(self.db, ev.action, number.as_str())?;
        }
        let what = match ev.case_number {
            Some(number) => format!("{} of case {}", ev.action.wire(), number.as_str()),
            None => ev.action.wire().to_string(),
        };
        self.appended = Some(Appended { seq, hash, what });
        Ok(seq)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_become_dollars() {
        for (sql, expect) in [("a = ?1 AND b = ?12", "a = $1 AND b = $12"), ("x ->> '$.to'", "x ->> '$.to'"), ("?", "?")] {
            assert_eq!(dollars(sql), expect);
        }
    }
}
