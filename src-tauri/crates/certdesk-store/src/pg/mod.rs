//! The PostgreSQL back end of the store, for a counter hall where several desks share one
//! database server (issue #17). Owns the connection (a URL without the password, the password
//! in a zeroizing type), the schema in PostgreSQL's dialect ([`schema`]), the write
//! transaction that serializes every change ([`chain`]) and the errors of the server
//! ([`PgError`]). `Store::open_hall` opens a store on it; the store's statements reach it
//! through `crate::db`. Why it lives inside `certdesk-store` rather than in a crate of its
//! own: the store opens a hall (so it must know this back end), and this back end writes the
//! store's own chain (so it must know the store); one crate keeps that one-way.
//!
//! The client is `postgres` (rust-postgres, the sync face of `tokio-postgres`): the store is
//! synchronous code over rusqlite and the desks call it from plain threads, so a sync client
//! fits without an async runtime in the callers (`postgres` runs a private current-thread
//! runtime per connection). It is the maintained, widely used native client (no libpq), speaks
//! scram-sha-256, reports SQLSTATE codes (how a lost connection is told apart), and needs no
//! feature beyond its defaults. TLS goes through `tokio-postgres-rustls` (rustls with `ring`: no
//! OpenSSL to link, the same on Windows desks): `sslmode=require` (or libpq's `verify-ca` /
//! `verify-full`) needs the hall's CA certificate in `sslrootcert=FILE`, and the server's
//! certificate is always verified, its name included: a hall's TLS that anyone could stand in
//! for would be TLS in name only. `disable` / `prefer` connect in clear.

mod address;
pub mod chain;
pub mod schema;
pub mod status;

pub use address::{HallAddress, STANDBY_WAIT_S, ServerName};
pub use chain::{CHAIN_LOCK, WriteTx};
pub use status::{HallStatus, ServerRole, ServerState, Standby};

use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

/// What went wrong, by kind. A lost connection is its own kind ([`PgError::ConnectionLost`]):
/// the change it interrupted was rolled back by the server, and the desk may try again on a new
/// connection. Lost while committing, the store connects again and looks for the change's last
/// event (`chain.rs`): found, the change stands; not found, it is `ConnectionLost`. Only when it
/// cannot look (the server still away, the old transaction still holding the chain lock, a
/// change without an event) is it [`PgError::CommitUnknown`], and the desk looks before it
/// tries again.
#[derive(Debug, thiserror::Error)]
pub enum PgError {
    #[error("服务器连接中断 (the connection to the database server was lost while {op}): nothing of this change was written; try again when the server answers")]
    ConnectionLost {
        op: &'static str,
        #[source]
        source: postgres::Error,
    },
    #[error(
        "服务器连接中断 (the connection to the database server was lost while committing, and whether the server committed could not be learnt): the change may or may not have been written; look before doing it again"
    )]
    CommitUnknown {
        #[source]
        source: postgres::Error,
    },
    /// Servers answered but none takes writes: a primary gone and its standby not promoted
    /// yet (or the address names only standbys). Nothing was written; the desk tries again.
    #[error("服务器切换中 (no server of the hall takes writes now: {tried}): nothing of this change was written; try again in a moment")]
    NoWritableServer { tried: String },
    /// The change was committed on the primary, but no synchronous standby confirmed it within
    /// the bound (`standby_wait`): PostgreSQL commits locally first, then waits; the wait was
    /// cancelled and the server's warning read, and the change was found on the server. It is
    /// saved (done once: do not do it again); it is on no standby yet, and until one is back the
    /// primary holds every commit the same way.
    #[error(
        "已保存，但备用服务器未确认 ({what} is saved on the hall's primary {server}, but no synchronous standby confirmed it within {waited_s} s: do not do it again; the administrator must bring the standby back or clear synchronous_standby_names on the primary; the server said: {warning})"
    )]
    StandbyWait { what: String, server: String, waited_s: u64, warning: String },
    /// This change waited longer than the bound for the hall's write lock (another desk's
    /// commit held it: waiting for a missing synchronous standby when `standby_missing`) or its
    /// commit was cancelled before the server made it. Nothing was written.
    #[error("{}", write_wait_text(*waited_s, *standby_missing))]
    WriteWait { waited_s: u64, standby_missing: bool },
    #[error("cannot connect to the database server {server}: {source}")]
    Connect {
        server: String,
        #[source]
        source: postgres::Error,
    },
    #[error("the database failed while {op}: {source}")]
    Db {
        op: &'static str,
        #[source]
        source: postgres::Error,
    },
    #[error("the database address cannot be read ({shown}): {source}")]
    BadUrl {
        shown: String,
        #[source]
        source: postgres::Error,
    },
    #[error("the database address must not carry a password ({shown}): give it in a password file")]
    PasswordInUrl { shown: String },
    #[error("the database address asks for TLS (sslmode={mode}) without the hall's CA certificate: add sslrootcert=FILE (the CA that signed the server's certificate)")]
    TlsNeedsCa { mode: String },
    /// A server of the address is not this computer and the address does not ask for TLS with
    /// the hall's CA certificate (#30: applicants' data never crosses a network in clear).
    #[error(
        "the hall at {host} is not on this computer: its address needs sslmode=verify-full&sslrootcert=FILE (the hall's CA certificate); data of applicants never crosses the network in clear"
    )]
    TlsRequired { host: String },
    #[error("the hall's CA certificate {path}: {source}")]
    TlsCa {
        path: PathBuf,
        #[source]
        source: TlsFileProblem,
    },
    #[error("the desk's client certificate or key cannot be used ({path}): {source}")]
    TlsClient {
        path: PathBuf,
        #[source]
        source: TlsFileProblem,
    },
    #[error("cannot read the password file {path}: {source}")]
    PasswordFile {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("migration {version} applied to this database is not this build's (sha256 {found}, this build's {expected}): a released migration was edited")]
    MigrationEdited { version: i32, found: String, expected: String },
    #[error("the database was migrated by a newer certdesk (migration {found}, this build knows {known})")]
    TooNew { found: i32, known: usize },
    #[error(
        "the hall's schema is at migration {found} and this build needs {known}: only the tables' owner may migrate it (open the hall once as that role, e.g. `certdesk --db postgres://OWNER@… store grant-desks --role DESK_ROLE`)"
    )]
    NotOwner { found: usize, known: usize },
    /// A client certificate and key asked without TLS to the hall's CA.
    #[error("sslcert and sslkey need TLS: add sslmode=verify-full&sslrootcert=FILE")]
    ClientCertNeedsTls,
    /// A `target_session_attrs` a desk cannot work under (it writes).
    #[error("target_session_attrs={given} cannot be a desk's: a desk writes (read-write, the default with several servers, or any)")]
    SessionAttrs { given: String },
    #[error("standby_wait={given}: whole seconds from 1 to 600")]
    BadStandbyWait { given: String },
    /// The database password file may be read by others.
    #[error("the password file {path} may be read by others (mode {mode:o}): chmod 600 it")]
    PasswordFileOpen { path: PathBuf, mode: u32 },
    #[error("the address names no server")]
    NoServer,
    // `store grant-desks`
    #[error("the desks' role is missing")]
    DesksRoleMissing,
    #[error("{role} is the role connected, the tables' owner: the desks need a role of their own that owns nothing")]
    DesksRoleIsOwner { role: String },
    #[error("there is no role {role} on the server: CREATE ROLE {role} LOGIN PASSWORD '…' first (as the server's administrator)")]
    NoSuchRole { role: String },
    #[error("{me} owns no certdesk tables in {database}: connect as the role that migrated the hall")]
    OwnsNoTables { me: String, database: String },
    /// certdesk's own broken expectation.
    #[error("internal: {what}")]
    Internal { what: &'static str },
}

fn write_wait_text(waited_s: u64, standby_missing: bool) -> String {
    let why = if standby_missing {
        "the hall's primary is holding commits for a synchronous standby that does not answer: the administrator must bring the standby back or clear synchronous_standby_names"
    } else {
        "another change held the hall's write lock"
    };
    format!("服务器等待中 (this change waited {waited_s} s and was given up: {why}): nothing of this change was written; try again later")
}

/// Whether `e` means the connection is gone (closed, reset, the backend terminated or the
/// server shutting down), as opposed to an error of the statement.
pub(crate) fn is_connection_lost(e: &postgres::Error) -> bool {
    if e.is_closed() {
        return true;
    }
    if let Some(code) = e.code() {
        // class 08: connection exception; 57P01-57P03: admin/crash shutdown, cannot connect now
        let c = code.code();
        return c.starts_with("08") || matches!(c, "57P01" | "57P02" | "57P03");
    }
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        if s.is::<std::io::Error>() {
            return true;
        }
        source = s.source();
    }
    false
}

/// Maps a client error with what the store was doing.
/// A write refused by a server that takes none (25006, read_only_sql_transaction: a standby,
/// reached through an address that takes any server) is [`PgError::NoWritableServer`].
pub(crate) fn db(op: &'static str) -> impl Fn(postgres::Error) -> PgError {
    move |source| {
        if is_connection_lost(&source) {
            PgError::ConnectionLost { op, source }
        } else if source.code() == Some(&postgres::error::SqlState::READ_ONLY_SQL_TRANSACTION) {
            PgError::NoWritableServer { tried: format!("the server this desk is on refused a write while {op}: {source}") }
        } else {
            PgError::Db { op, source }
        }
    }
}

/// The password of the database role, wiped when dropped (every copy); `Debug` prints `***`.
#[derive(Clone)]
pub struct ServerPassword(Zeroizing<String>);

impl ServerPassword {
    pub fn new(text: String) -> ServerPassword {
        ServerPassword(Zeroizing::new(text))
    }

    /// The password's text, for the one place that must hand it on (the app's private
    /// password file); never for a log or a message.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub(crate) fn from_zeroizing(text: Zeroizing<String>) -> ServerPassword {
        ServerPassword(text)
    }

    /// The first line of a file (a trailing newline is not part of the password).
    pub fn from_file(path: &Path) -> Result<ServerPassword, PgError> {
        let text = Zeroizing::new(std::fs::read_to_string(path).map_err(|source| PgError::PasswordFile { path: path.to_path_buf(), source })?);
        Ok(ServerPassword::new(text.lines().next().unwrap_or_default().to_string()))
    }
}

impl ServerPassword {
    /// The password for `address` from a password file in libpq's format (`~/.pgpass`,
    /// `PGPASSFILE`): lines `hostname:port:database:username:password`, `*` matching anything,
    /// `\:` and `\\` escaped, `#` lines skipped, the first matching line wins; `None` when no
    /// line matches. A file others may read is refused (libpq ignores it; a counter should hear
    /// why its password was not used).
    pub fn from_pgpass(path: &Path, address: &HallAddress) -> Result<Option<ServerPassword>, PgError> {
        let text = Zeroizing::new(std::fs::read_to_string(path).map_err(|source| PgError::PasswordFile { path: path.to_path_buf(), source })?);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(path).map_err(|source| PgError::PasswordFile { path: path.to_path_buf(), source })?.permissions().mode();
            if mode & 0o077 != 0 {
                return Err(PgError::PasswordFileOpen { path: path.to_path_buf(), mode: mode & 0o777 });
            }
        }
        // one password serves the hall's role on every server of the address: the first line
        // that matches any of them (a hall's pgpass may name only its standby's host)
        let wanted: Vec<[String; 4]> =
            address.servers().into_iter().map(|(server, _)| [server.host, server.port.to_string(), address.database().to_string(), address.user().to_string()]).collect();
        for line in text.lines().filter(|l| !l.trim_start().starts_with('#') && !l.trim().is_empty()) {
            let fields = pgpass_fields(line);
            if fields.len() == 5 && wanted.iter().any(|w| fields[..4].iter().zip(w).all(|(f, w)| f.as_str() == "*" || f.as_str() == w.as_str())) {
                return Ok(Some(ServerPassword::new(fields[4].to_string())));
            }
        }
        Ok(None)
    }
}

/// The five fields of a pgpass line, unescaped; the last takes the rest of the line. Wiped
/// when dropped (the last one is a password).
fn pgpass_fields(line: &str) -> Vec<Zeroizing<String>> {
    let mut fields = vec![Zeroizing::new(String::new())];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(next) = chars.next() {
                    fields.last_mut().expect("one field at least").push(next);
                }
            }
            ':' if fields.len() < 5 => fields.push(Zeroizing::new(String::new())),
            c => fields.last_mut().expect("one field at least").push(c),
        }
    }
    fields
}

impl std::fmt::Debug for ServerPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ServerPassword(***)")
    }
}

/// One desk's connection to the hall's database.
pub struct Hall {
    pub(crate) client: postgres::Client,
    /// statements prepared on this connection, by their text
    pub(crate) prepared: crate::db::Prepared,
    /// the server of the address this connection is on
    on: ServerName,
    /// the server's warnings on this connection since they were last taken (a commit's wait
    /// for a synchronous standby cancelled: "committed locally, but might not have been
    /// replicated")
    warnings: Warnings,
    /// kept to connect again and look, after a commit whose answer was lost
    address: HallAddress,
    password: ServerPassword,
}

type Warnings = std::sync::Arc<std::sync::Mutex<Vec<String>>>;

impl std::fmt::Debug for Hall {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Hall({})", self.address.shown_on(&self.on))
    }
}

/// Why a certificate or key file named in the hall's address cannot be used for TLS.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TlsFileProblem {
    /// The file cannot be read, or is not PEM.
    #[error(transparent)]
    Pem(#[from] rustls::pki_types::pem::Error),
    /// rustls refuses the certificate, or the protocol versions of the ring provider.
    #[error(transparent)]
    Rustls(#[from] rustls::Error),
    #[error("no certificate in the file")]
    NoCertificate,
    /// rustls refuses the key with the certificate chain given beside it.
    #[error("not the certificate's key: {0}")]
    NotTheCertificatesKey(#[source] rustls::Error),
    #[error("sslcert without sslkey: give both")]
    CertWithoutKey,
    #[error("sslkey without sslcert: give both")]
    KeyWithoutCert,
}

/// rustls over `ring`, trusting only the hall's CA certificates in `ca` (PEM), showing the
/// desk's certificate and key (PEM) when given.
fn tls_connector(ca: &Path, client: Option<&(PathBuf, PathBuf)>) -> Result<tokio_postgres_rustls::MakeRustlsConnect, PgError> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;
    let bad = |source: TlsFileProblem| PgError::TlsCa { path: ca.to_path_buf(), source };
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(ca).map_err(|e| bad(e.into()))? {
        roots.add(cert.map_err(|e| bad(e.into()))?).map_err(|e| bad(e.into()))?;
    }
    if roots.is_empty() {
        return Err(bad(TlsFileProblem::NoCertificate));
    }
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider).with_safe_default_protocol_versions().map_err(|e| bad(e.into()))?.with_root_certificates(roots);
    let config = match client {
        None => config.with_no_client_auth(),
        Some((cert, key)) => {
            use rustls::pki_types::PrivateKeyDer;
            let bad_cert = |source: TlsFileProblem| PgError::TlsClient { path: cert.clone(), source };
            let chain = CertificateDer::pem_file_iter(cert).map_err(|e| bad_cert(e.into()))?.collect::<Result<Vec<_>, _>>().map_err(|e| bad_cert(e.into()))?;
            if chain.is_empty() {
                return Err(bad_cert(TlsFileProblem::NoCertificate));
            }
            let private = PrivateKeyDer::from_pem_file(key).map_err(|e| PgError::TlsClient { path: key.clone(), source: e.into() })?;
            config.with_client_auth_cert(chain, private).map_err(|e| PgError::TlsClient { path: key.clone(), source: TlsFileProblem::NotTheCertificatesKey(e) })?
        }
    };
    Ok(tokio_postgres_rustls::MakeRustlsConnect::new(config))
}

/// One server, with the password and, for a desk's connection, a sink for the server's
/// warnings (the client's default logs them; a library does not).
pub(crate) fn connect_one(
    address: &HallAddress,
    server: &ServerName,
    mut config: postgres::Config,
    password: &ServerPassword,
    warnings: Option<Warnings>,
) -> Result<postgres::Client, PgError> {
    config.password(password.0.as_bytes());
    match warnings {
        Some(sink) => config.notice_callback(move |notice| {
            if notice.code() == &postgres::error::SqlState::WARNING || notice.severity() == "WARNING" {
                let text = match notice.detail() {
                    Some(detail) => format!("{} ({detail})", notice.message()),
                    None => notice.message().to_string(),
                };
                if let Ok(mut w) = sink.lock() {
                    w.push(text);
                }
            }
        }),
        None => config.notice_callback(|_| {}),
    };
    let connected = match &address.tls_ca {
        None => config.connect(postgres::NoTls),
        Some(ca) => config.connect(tls_connector(ca, address.client_cert.as_ref())?),
    };
    connected.map_err(|source| PgError::Connect { server: address.shown_on(server), source })
}

/// Whether the server takes writes: `transaction_read_only` off (on for a standby in recovery,
/// as libpq's `target_session_attrs=read-write` asks it).
fn takes_writes(client: &mut postgres::Client) -> Result<bool, postgres::Error> {
    let row = client.query_one("SELECT current_setting('transaction_read_only') = 'off'", &[])?;
    Ok(row.get(0))
}

/// How one server of the address answered a desk looking for the hall.
enum Answer {
    /// it took the connection but takes no writes (a standby, in recovery)
    NoWrites,
    Failed(postgres::Error),
}

impl Hall {
    /// Connects with the role's password to the first server of the address that answers (and
    /// takes writes, where the address asks for that: `target_session_attrs=read-write`, the
    /// default when it names several servers), trying them in order. None answering: a
    /// connection error; some answering but none taking writes: [`PgError::NoWritableServer`]
    /// (服务器切换中: a primary gone and its standby not promoted yet). The client copies the
    /// password into its own configuration for the handshake; that copy lives only for this call.
    pub fn connect(address: &HallAddress, password: &ServerPassword) -> Result<Hall, PgError> {
        let mut passed: Vec<(ServerName, Answer)> = Vec::new();
        for (server, config) in address.servers() {
            let warnings = Warnings::default();
            let mut client = match connect_one(address, &server, config, password, Some(warnings.clone())) {
                Ok(client) => client,
                Err(PgError::Connect { source, .. }) => {
                    passed.push((server, Answer::Failed(source)));
                    continue;
                }
                Err(e) => return Err(e),
            };
            if address.writer_only {
                match takes_writes(&mut client) {
                    Ok(true) => {}
                    Ok(false) => {
                        passed.push((server, Answer::NoWrites));
                        continue;
                    }
                    Err(source) => {
                        passed.push((server, Answer::Failed(source)));
                        continue;
                    }
                }
            }
            return Ok(Hall { client, prepared: Default::default(), on: server, warnings, address: address.clone(), password: password.clone() });
        }
        let tried = passed
            .iter()
            .map(|(server, answer)| match answer {
                Answer::NoWrites => format!("{server} takes no writes (a standby)"),
                Answer::Failed(e) => format!("{server}: {e}"),
            })
            .collect::<Vec<_>>()
            .join("; ");
        if passed.iter().any(|(_, a)| matches!(a, Answer::NoWrites)) {
            return Err(PgError::NoWritableServer { tried });
        }
        // the error that says most: one the server answered (a wrong password, no such
        // database) before one of the network
        let failures = passed.into_iter().filter_map(|(server, a)| match a {
            Answer::Failed(e) => Some((server, e)),
            Answer::NoWrites => None,
        });
        let (server, source) = failures.reduce(|kept, next| if kept.1.code().is_some() { kept } else { next }).ok_or(PgError::NoServer)?;
        let server = if address.servers().len() > 1 { format!("{} ({tried})", address.shown()) } else { address.shown_on(&server) };
        Err(PgError::Connect { server, source })
    }

    /// A new connection to the hall as the same role (after this one was lost, or for a second
    /// handle on the hall): to the server that takes writes now, which after a failover is
    /// another one.
    pub fn connect_again(&self) -> Result<Hall, PgError> {
        Hall::connect(&self.address, &self.password)
    }

    /// The server this connection is on, `USER@HOST:PORT/DB`, as shown to people.
    pub fn server(&self) -> String {
        self.address.shown_on(&self.on)
    }

    /// The server of the address this connection is on.
    pub fn on(&self) -> &ServerName {
        &self.on
    }

    /// The address this connection was made from.
    pub fn address(&self) -> &HallAddress {
        &self.address
    }

    /// Asks the server to cancel what this connection is running (the client's cancel request
    /// on a connection of its own, over TLS where the address has it).
    pub(crate) fn cancel(address: &HallAddress, token: &postgres::CancelToken) -> Result<(), PgError> {
        let sent = match &address.tls_ca {
            None => token.cancel_query(postgres::NoTls),
            Some(ca) => token.cancel_query(tls_connector(ca, address.client_cert.as_ref())?),
        };
        sent.map_err(db("asking the server to stop waiting"))
    }

    /// Whether this connection is gone (after [`PgError::ConnectionLost`]): connect again.
    pub fn is_lost(&self) -> bool {
        self.client.is_closed()
    }

    /// The server's process id of this connection (what `pg_terminate_backend` takes).
    pub fn backend_pid(&mut self) -> Result<i32, PgError> {
        let row = self.client.query_one("SELECT pg_backend_pid()", &[]).map_err(db("asking for the server process"))?;
        Ok(row.get(0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pgpass_line_is_matched_with_wildcards_and_escapes() {
        let dir = tempfile::tempdir().expect("a folder");
        let file = dir.path().join("pgpass");
        let lines = "# the hall\nother:5433:hall:clerk:wrong\n10.0.0.5:*:hall:clerk:p\\:w\\\\d:x\n*:*:*:*:fallback\n";
        std::fs::write(&file, lines).expect("writing");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).expect("chmod");
        }
        // servers elsewhere: their addresses ask for TLS with the hall's CA
        let found = |url: &str| {
            let url = format!("{url}{}sslmode=verify-full&sslrootcert=/ca.pem", if url.contains('?') { '&' } else { '?' });
            ServerPassword::from_pgpass(&file, &HallAddress::parse(&url).expect("an address")).expect("reading").map(|p| p.0.to_string())
        };
        assert_eq!(found("postgres://clerk@10.0.0.5:5433/hall").as_deref(), Some("p:w\\d:x"));
        assert_eq!(found("postgres://li@10.0.0.5:5433/hall").as_deref(), Some("fallback"));
        // a hall of two servers: a line for either serves (here only the second is named)
        assert_eq!(found("postgres://clerk@10.0.0.4:5432,10.0.0.5:5433/hall?target_session_attrs=read-write").as_deref(), Some("p:w\\d:x"));
        assert_eq!(found("postgres://clerk@other:5433,10.0.0.9:5432/hall").as_deref(), Some("wrong"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).expect("chmod");
            let err = ServerPassword::from_pgpass(&file, &HallAddress::parse("postgres://clerk@localhost/hall").expect("an address")).expect_err("others may read it");
            assert!(err.to_string().contains("chmod 600"), "{err}");
        }
    }

    #[test]
    fn a_password_is_never_printed() {
        let p = ServerPassword::new("s3cret".into());
        assert_eq!(format!("{p:?}"), "ServerPassword(***)");
    }
}
