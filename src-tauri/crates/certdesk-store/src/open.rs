//! Where the store lives and how it is entered: a SQLite file (WAL, a shared `<store>.lock`,
//! the schema migrated on opening) or a hall's PostgreSQL database (`pg`), and the seam every
//! rule goes through (`read`, `snapshot`, `write`: one write transaction holding the store's write
//! lock). Owns opening, reopening and the locks; not the statements (the modules of each concern).

use crate::db::{Lite, Pg, Sql, Tx};
use crate::{StoreError, audit, pg, private, schema, sql};
use rusqlite::{Connection, TransactionBehavior};
use std::path::{Path, PathBuf};
use std::time::Duration;

pub struct Store {
    backend: Backend,
}

/// Where the store lives, chosen when it is opened.
enum Backend {
    /// `keyed`: an encrypted file's key, kept to open it again
    Sqlite {
        conn: Connection,
        path: PathBuf,
        _lock: StoreLock,
        keyed: Option<crate::encrypted::Keyed>,
    },
    Hall(Box<HallBackend>),
}

/// A hall's database; `RefCell` because the client needs `&mut` to read, and a store is used
/// from one thread at a time (as rusqlite's connection is). The connection keeps its address
/// and password to connect again after it was lost; the server's name is kept here too, for
/// [`Store::server`] to lend without borrowing the connection.
struct HallBackend {
    hall: std::cell::RefCell<pg::Hall>,
    shown: String,
}

/// `<store>.lock`: every process with the store open holds it shared; a restore needs it
/// alone, so it is refused while another process (the app, a CLI command) has the store open.
pub(crate) struct StoreLock {
    // held for its lock, which lasts as long as the handle
    _file: std::fs::File,
}

impl StoreLock {
    fn file(db: &Path) -> Result<std::fs::File, StoreError> {
        let path = PathBuf::from(format!("{}.lock", db.display()));
        private::open_options().read(true).write(true).create(true).truncate(false).open(&path).map_err(|source| StoreError::Folder { path, source })
    }

    fn shared(db: &Path) -> Result<StoreLock, StoreError> {
        let file = StoreLock::file(db)?;
        // waits while a restore replaces the file (seconds at most)
        file.lock_shared().map_err(|source| StoreError::Folder { path: db.to_path_buf(), source })?;
        Ok(StoreLock { _file: file })
    }

    pub(crate) fn exclusive(db: &Path) -> Result<StoreLock, StoreError> {
        let file = StoreLock::file(db)?;
        match file.try_lock() {
            Ok(()) => Ok(StoreLock { _file: file }),
            Err(std::fs::TryLockError::WouldBlock) => Err(StoreError::Busy(db.to_path_buf())),
            Err(std::fs::TryLockError::Error(source)) => Err(StoreError::Folder { path: db.to_path_buf(), source }),
        }
    }
}

impl Store {
    /// Opens (creating if needed) the store at `path` and brings its schema up to date.
    /// An encrypted file is refused (`StoreError::Encrypted`): it opens with an account or the
    /// recovery key (`Store::open_encrypted`).
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        if let crate::StoreState::Encrypted { .. } = Store::state(path)? {
            return Err(StoreError::Encrypted { path: path.to_path_buf() });
        }
        Store::open_plain(path)
    }

    /// Opens a store file known to be plain, without reading its header: another handle of a
    /// store this process has open (`reopen`), where opening and closing a descriptor of the
    /// file would drop SQLite's locks on it (see `Store::state`).
    fn open_plain(path: &Path) -> Result<Store, StoreError> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            private::create_dir_all(parent).map_err(|source| StoreError::Folder { path: parent.to_path_buf(), source })?;
        }
        let lock = StoreLock::shared(path)?;
        Store::open_with(path, lock, None)
    }

    /// Opens an encrypted file (creating it when missing) with its key.
    pub(crate) fn open_keyed(path: &Path, keyed: crate::encrypted::Keyed) -> Result<Store, StoreError> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            private::create_dir_all(parent).map_err(|source| StoreError::Folder { path: parent.to_path_buf(), source })?;
        }
        let lock = StoreLock::shared(path)?;
        Store::open_with(path, lock, Some(keyed))
    }

    /// An encrypted store file's connection now under `keyed` (after `PRAGMA rekey`).
    pub(crate) fn set_keyed(&mut self, new: crate::encrypted::Keyed) {
        if let Backend::Sqlite { keyed, .. } = &mut self.backend {
            *keyed = Some(new);
        }
    }

    /// The key an encrypted store was opened with; none for a plain file or a hall.
    pub(crate) fn keyed(&self) -> Option<&crate::encrypted::Keyed> {
        match &self.backend {
            Backend::Sqlite { keyed, .. } => keyed.as_ref(),
            Backend::Hall(_) => None,
        }
    }

    /// Opens the store of a counter hall on a PostgreSQL server (the password never in the
    /// address) and brings its schema up to date; every desk of the hall opens the same one.
    pub fn open_hall(address: &pg::HallAddress, password: pg::ServerPassword) -> Result<Store, StoreError> {
        let mut hall = pg::Hall::connect(address, &password)?;
        hall.migrate()?;
        Ok(Store::on_hall(hall))
    }

    /// What a hall's database holds, read without migrating it or writing anything (the admin
    /// desk's check of a hall before it saves it for the next start).
    pub fn inspect_hall(address: &pg::HallAddress, password: &pg::ServerPassword) -> Result<pg::schema::Inspection, StoreError> {
        Ok(pg::Hall::connect(address, password)?.inspect()?)
    }

    /// On a hall, connected as the tables' owner: gives the desks' login role what a desk needs
    /// (`Hall::grant_desks`), then records it on the chain as `actor` (an administrator).
    pub fn grant_desks(&mut self, role: &str, actor: &certdesk_domain::workflow::Actor) -> Result<pg::schema::Granted, StoreError> {
        if !actor.has(certdesk_domain::workflow::Role::Admin) {
            return Err(StoreError::AdminOnly { what: "gives the desks' role its rights", who: actor.name().to_string() });
        }
        let granted = match &mut self.backend {
            Backend::Hall(h) => Store::hall(h.hall.get_mut())?.grant_desks(role)?,
            Backend::Sqlite { .. } => return Err(StoreError::HallOnly { what: "the desks' role" }),
        };
        let detail = crate::detail::DesksGranted {
            role: granted.role.clone(),
            database: granted.database.clone(),
            tables: granted.tables.iter().map(|(t, p)| format!("{t}: {p}")).collect(),
        };
        self.record_event(&crate::NewEvent::new(actor.name(), crate::AuditAction::DesksGranted, &detail))?;
        Ok(granted)
    }

    /// Another handle on the same store: the file opened again, or a second connection to the
    /// same hall (its schema already brought up to date by the first). The app's slow commands
    /// work on one, so the window's other commands are not held up meanwhile.
    pub fn reopen(&self) -> Result<Store, StoreError> {
        match &self.backend {
            Backend::Sqlite { path, keyed: Some(k), .. } => Store::open_keyed(path, k.clone()),
            Backend::Sqlite { path, .. } => Store::open_plain(path),
            Backend::Hall(h) => Ok(Store::on_hall(h.hall.borrow().connect_again()?)),
        }
    }

    fn on_hall(hall: pg::Hall) -> Store {
        let shown = hall.address().shown().to_string();
        Store { backend: Backend::Hall(Box::new(HallBackend { hall: std::cell::RefCell::new(hall), shown })) }
    }

    /// Opens a store file this process already holds alone (a restore's staged copy), with its
    /// key when it is encrypted.
    pub(crate) fn open_locked(path: &Path, keyed: Option<crate::encrypted::Keyed>) -> Result<Store, StoreError> {
        Store::open_with(path, StoreLock { _file: StoreLock::file(path)? }, keyed)
    }

    pub(crate) fn open_with(path: &Path, lock: StoreLock, keyed: Option<crate::encrypted::Keyed>) -> Result<Store, StoreError> {
        // the database, and so its WAL and shared memory (SQLite gives them the database's
        // mode), readable by this account only
        if !path.exists() {
            private::open_options().write(true).create_new(true).open(path).map_err(|source| StoreError::Folder { path: path.to_path_buf(), source })?;
        }
        private::restrict(path).map_err(|source| StoreError::Folder { path: path.to_path_buf(), source })?;
        let conn = Connection::open(path).map_err(sql("opening the database"))?;
        // an encrypted file's key and SQLCipher's settings come before anything reads it
        if let Some(k) = &keyed {
            k.apply(&conn)?;
        }
        conn.busy_timeout(Duration::from_secs(10)).map_err(sql("setting the busy timeout"))?;
        conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA trusted_schema = OFF; PRAGMA secure_delete = ON;")
            .map_err(sql("setting up the connection"))?;
        audit::register_functions(&conn)?;
        // 128 MiB of page cache (SQLite's default is 2 MiB), plain files too: an encrypted page
        // is decrypted and its HMAC checked at every read from the OS cache, and the hot pages
        // kept decrypted bring search on the encrypted file within 1.3 × the plain file's
        // (docs/design-privacy.md §1.3, certdesk-bench-privacy); allocated as pages are used
        conn.execute_batch("PRAGMA cache_size = -131072;").map_err(sql("sizing the page cache"))?;
        let opened_with = keyed.as_ref().map(|k| k.key.check_value());
        let mut store = Store { backend: Backend::Sqlite { conn, path: path.to_path_buf(), _lock: lock, keyed } };
        store.migrate()?;
        if let Some(check) = opened_with {
            // a `store rekey` a crash interrupted: finished or undone by the key that opened it
            crate::journal::settle_rekey(path, &check)?;
        }
        Ok(store)
    }

    /// Closes the store file's connection and hands back its lock (a `store encrypt` swapping
    /// the files while it holds the store alone).
    pub(crate) fn close_keeping_lock(self) -> Result<StoreLock, StoreError> {
        match self.backend {
            Backend::Sqlite { conn, _lock, .. } => {
                conn.close().map_err(|(_, e)| sql("closing the store")(e))?;
                Ok(_lock)
            }
            Backend::Hall(_) => Err(StoreError::Internal { what: "a hall's store has no file to hand over", detail: String::new() }),
        }
    }

    /// The store's file; empty on a hall (see [`Store::server`]).
    pub fn path(&self) -> &Path {
        match &self.backend {
            Backend::Sqlite { path, .. } => path,
            Backend::Hall(_) => Path::new(""),
        }
    }

    /// The hall as shown to people (`USER@HOST:PORT/DB`; every server when its address names
    /// several, see [`Store::hall_status`] for the one that takes writes), `None` for a store
    /// file.
    pub fn server(&self) -> Option<&str> {
        match &self.backend {
            Backend::Sqlite { .. } => None,
            Backend::Hall(h) => Some(&h.shown),
        }
    }

    /// What the hall's servers are doing now (`store status`, the app's header): which one
    /// takes writes and which one this store is on, each server's answer, the standbys' lag,
    /// whether commits wait for a missing synchronous standby. `None` for a store file. Never
    /// fails for the servers' sake (one that does not answer is in the answer); asks each
    /// server other than this store's own on a connection of its own (at most 3 s each), so a
    /// header refreshes it every few seconds, not on every keystroke.
    pub fn hall_status(&self) -> Option<pg::HallStatus> {
        match &self.backend {
            Backend::Sqlite { .. } => None,
            Backend::Hall(h) => Some(h.hall.borrow_mut().status()),
        }
    }

    /// The SQLite connection and file, for what only a store file has; on a hall the typed
    /// [`StoreError::NotOnHall`].
    pub(crate) fn file(&self, what: &'static str, instead: &'static str) -> Result<(&Connection, &Path), StoreError> {
        match &self.backend {
            Backend::Sqlite { conn, path, .. } => Ok((conn, path)),
            Backend::Hall(_) => Err(StoreError::NotOnHall { what, instead }),
        }
    }

    /// The hall's connection, connected again when the last one was lost.
    fn hall(hall: &mut pg::Hall) -> Result<&mut pg::Hall, StoreError> {
        if hall.is_lost() {
            *hall = hall.connect_again()?;
        }
        Ok(hall)
    }

    /// Runs `read` on the store's connection (on a hall, each statement sees what was committed
    /// before it). Also the door of the few writes outside the chain that need no lock
    /// (an account's draft), each statement committed on its own as on SQLite.
    pub(crate) fn read<T, E: From<StoreError>>(&self, read: impl FnOnce(&mut dyn Sql) -> Result<T, E>) -> Result<T, E> {
        match &self.backend {
            Backend::Sqlite { conn, .. } => read(&mut Lite(conn)),
            Backend::Hall(h) => {
                let mut hall = h.hall.borrow_mut();
                let hall = Store::hall(&mut hall)?;
                read(&mut Pg { client: &mut hall.client, prepared: &mut hall.prepared })
            }
        }
    }

    /// A write outside the audit chain that may be lost with a dying primary (the intake's
    /// draft: the form is still on the clerk's screen): on a hall it commits on the primary
    /// alone (`SET LOCAL synchronous_commit = local`), so a missing synchronous standby never
    /// holds it, unbounded, as it holds a commit that waits for one.
    pub(crate) fn write_scratch(&self, op: &'static str, sql: &str, args: &[crate::db::Val]) -> Result<u64, StoreError> {
        match &self.backend {
            Backend::Sqlite { conn, .. } => Lite(conn).exec(op, sql, args),
            Backend::Hall(h) => {
                let mut hall = h.hall.borrow_mut();
                let hall = Store::hall(&mut hall)?;
                let mut tx = hall.client.transaction().map_err(pg::db(op))?;
                tx.batch_execute("SET LOCAL synchronous_commit = local").map_err(pg::db(op))?;
                let changed = Pg { client: &mut tx, prepared: &mut hall.prepared }.exec(op, sql, args)?;
                tx.commit().map_err(pg::db(op))?;
                Ok(changed)
            }
        }
    }

    /// Runs `read` on one consistent snapshot of the store (`verify`).
    pub(crate) fn snapshot<T>(&self, read: impl FnOnce(&mut dyn Sql) -> Result<T, StoreError>) -> Result<T, StoreError> {
        match &self.backend {
            Backend::Sqlite { conn, .. } => {
                let tx = conn.unchecked_transaction().map_err(sql("starting a read"))?;
                let out = read(&mut Lite(&tx))?;
                tx.commit().map_err(sql("ending a read"))?;
                Ok(out)
            }
            Backend::Hall(h) => Store::hall(&mut h.hall.borrow_mut())?.snapshot(read),
        }
    }

    /// Runs `change` in one write transaction, holding the store's write lock (SQLite's
    /// `BEGIN IMMEDIATE`, the hall's chain lock) from its first statement, and commits it; an
    /// error rolls everything back.
    pub(crate) fn write<T, E: From<StoreError>>(&mut self, change: impl FnOnce(&mut Tx<'_>) -> Result<T, E>) -> Result<T, E> {
        match &mut self.backend {
            Backend::Sqlite { conn, .. } => {
                let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(sql("starting a write"))?;
                let out = change(&mut Tx::begin(&mut Lite(&tx))?)?;
                tx.commit().map_err(sql("committing a change"))?;
                Ok(out)
            }
            Backend::Hall(h) => Store::hall(h.hall.get_mut())?.change(change),
        }
    }

    /// The physical clean-up after a purge (#30, design §7.6), outside any transaction: on a
    /// file the search indexes rewritten without the purged entries and the WAL's old frames
    /// dropped (freed pages are zeroed: `secure_delete` is on for every connection); on a
    /// hall `VACUUM (ANALYZE)` of the tables a purge changes.
    pub(crate) fn clean_up_after_purge(&self) -> Result<(), StoreError> {
        match &self.backend {
            Backend::Sqlite { conn, .. } => {
                for statement in crate::purge::clean_up_statements(crate::db::Dialect::Sqlite) {
                    conn.execute_batch(statement).map_err(sql("cleaning up after a purge"))?;
                }
                Ok(())
            }
            Backend::Hall(h) => {
                let mut hall = h.hall.borrow_mut();
                let hall = Store::hall(&mut hall)?;
                for statement in crate::purge::clean_up_statements(crate::db::Dialect::Postgres) {
                    hall.client.batch_execute(statement).map_err(pg::db("cleaning up after a purge"))?;
                }
                Ok(())
            }
        }
    }

    fn migrate(&mut self) -> Result<(), StoreError> {
        let (conn, path) = match &mut self.backend {
            Backend::Sqlite { conn, path, .. } => (conn, path),
            Backend::Hall(h) => return h.hall.get_mut().migrate().map(drop).map_err(StoreError::from),
        };
        let known = schema::MIGRATIONS.len() as i64;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(sql("starting the migration"))?;
        let version: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(sql("reading the schema version"))?;
        if version > known {
            return Err(StoreError::TooNew { path: path.clone(), found: version, known });
        }
        for (i, m) in schema::MIGRATIONS.iter().enumerate().skip(version as usize) {
            tx.execute_batch(m).map_err(sql("migrating the schema"))?;
            tx.pragma_update(None, "user_version", i as i64 + 1).map_err(sql("recording the schema version"))?;
        }
        tx.commit().map_err(sql("committing the migration"))
    }
}

/// The SQLCipher version the store is built with (`PRAGMA cipher_version`): the one SQLite
/// library that opens plain store files and encrypted ones alike (#30). None would mean a plain
/// SQLite build, which cannot open an encrypted store.
pub fn cipher_version() -> Option<String> {
    let conn = rusqlite::Connection::open_in_memory().ok()?;
    conn.query_row("PRAGMA cipher_version", [], |r| r.get::<_, String>(0)).ok().filter(|v| !v.is_empty())
}
