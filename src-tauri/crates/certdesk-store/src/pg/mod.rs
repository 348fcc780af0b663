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

pub mod chain;
pub mod schema;

pub use chain::{CHAIN_LOCK, WriteTx};

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;
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
    #[error("the hall's CA certificate {path}: {why}")]
    TlsCa { path: PathBuf, why: String },
    #[error("the desk's client certificate or key cannot be used ({path}): {why}")]
    TlsClient { path: PathBuf, why: String },
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
    #[error("{0}")]
    Invalid(String),
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
pub(crate) fn db(op: &'static str) -> impl Fn(postgres::Error) -> PgError {
    move |source| if is_connection_lost(&source) { PgError::ConnectionLost { op, source } } else { PgError::Db { op, source } }
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
                return Err(PgError::Invalid(format!("the password file {} may be read by others (mode {:o}): chmod 600 it", path.display(), mode & 0o777)));
            }
        }
        let wanted = [address.host(), address.port().to_string(), address.database().to_string(), address.user().to_string()];
        for line in text.lines().filter(|l| !l.trim_start().starts_with('#') && !l.trim().is_empty()) {
            let fields = pgpass_fields(line);
            if fields.len() == 5 && fields[..4].iter().zip(&wanted).all(|(f, w)| f.as_str() == "*" || f.as_str() == w.as_str()) {
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

/// A parsed `postgres://USER@HOST:PORT/DB?…` address without a password, and how it is shown
/// (logs, the app's status line): `USER@HOST:PORT/DB`. With TLS, the CA certificate file the
/// server's certificate is checked against (`sslrootcert`), and the desk's own certificate and
/// key where the server asks for one (`sslcert`, `sslkey`: PEM).
#[derive(Clone)]
pub struct HallAddress {
    config: postgres::Config,
    shown: String,
    tls_ca: Option<PathBuf>,
    client_cert: Option<(PathBuf, PathBuf)>,
}

/// The TLS parameters of an address's query, which the client does not know itself.
#[derive(Default)]
struct TlsParams {
    mode: Option<String>,
    ca: Option<PathBuf>,
    cert: Option<PathBuf>,
    key: Option<PathBuf>,
}

/// The address's `sslmode`, `sslrootcert`, `sslcert` and `sslkey`, taken out of its query
/// (the client knows only disable/prefer/require): the address left and those.
fn split_tls(url: &str) -> (String, TlsParams) {
    let Some((base, query)) = url.split_once('?') else { return (url.to_string(), TlsParams::default()) };
    let (mut tls, mut kept) = (TlsParams::default(), Vec::new());
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        match pair.split_once('=') {
            Some(("sslmode", v)) => tls.mode = Some(v.to_string()),
            Some(("sslrootcert", v)) => tls.ca = Some(PathBuf::from(v)),
            Some(("sslcert", v)) => tls.cert = Some(PathBuf::from(v)),
            Some(("sslkey", v)) => tls.key = Some(PathBuf::from(v)),
            _ => kept.push(pair),
        }
    }
    let url = if kept.is_empty() { base.to_string() } else { format!("{base}?{}", kept.join("&")) };
    (url, tls)
}

impl std::fmt::Debug for HallAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "HallAddress({})", self.shown)
    }
}

impl HallAddress {
    pub fn parse(url: &str) -> Result<HallAddress, PgError> {
        let (url, tls) = split_tls(url);
        let TlsParams { mode, ca, cert, key } = tls;
        // never echo what was typed: it may hold a password
        let mut config = postgres::Config::from_str(&url).map_err(|source| PgError::BadUrl { shown: "postgres://…".into(), source })?;
        let shown = shown(&config);
        if config.get_password().is_some() {
            return Err(PgError::PasswordInUrl { shown });
        }
        let tls_ca = match mode.as_deref() {
            None | Some("disable" | "allow" | "prefer") => {
                config.ssl_mode(postgres::config::SslMode::Disable);
                None
            }
            Some(mode) => {
                let ca = ca.ok_or_else(|| PgError::TlsNeedsCa { mode: mode.to_string() })?;
                config.ssl_mode(postgres::config::SslMode::Require);
                Some(ca)
            }
        };
        let client_cert = match (cert, key) {
            (None, None) => None,
            (Some(cert), Some(key)) if tls_ca.is_some() => Some((cert, key)),
            (Some(_), Some(_)) => return Err(PgError::Invalid("sslcert and sslkey need TLS: add sslmode=verify-full&sslrootcert=FILE".into())),
            (Some(cert), None) => return Err(PgError::TlsClient { path: cert, why: "sslcert without sslkey: give both".into() }),
            (None, Some(key)) => return Err(PgError::TlsClient { path: key, why: "sslkey without sslcert: give both".into() }),
        };
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(10));
        }
        if config.get_application_name().is_none() {
            config.application_name("certdesk");
        }
        Ok(HallAddress { config, shown, tls_ca, client_cert })
    }

    /// `USER@HOST:PORT/DB`, safe to log and to show.
    pub fn shown(&self) -> &str {
        &self.shown
    }

    /// The server's host name (or socket folder), as a pgpass line names it.
    pub fn host(&self) -> String {
        use postgres::config::Host;
        match self.config.get_hosts().first() {
            Some(Host::Tcp(h)) => h.clone(),
            #[cfg(unix)]
            Some(Host::Unix(p)) => p.display().to_string(),
            None => "localhost".into(),
        }
    }

    pub fn port(&self) -> u16 {
        self.config.get_ports().first().copied().unwrap_or(5432)
    }

    pub fn database(&self) -> &str {
        self.config.get_dbname().unwrap_or("")
    }

    pub fn user(&self) -> &str {
        self.config.get_user().unwrap_or("")
    }
}

fn shown(config: &postgres::Config) -> String {
    use postgres::config::Host;
    let host = match config.get_hosts().first() {
        Some(Host::Tcp(h)) => h.clone(),
        Some(other) => format!("{other:?}"),
        None => "localhost".into(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    format!("{}@{host}:{port}/{}", config.get_user().unwrap_or("?"), config.get_dbname().unwrap_or("?"))
}

/// One desk's connection to the hall's database.
pub struct Hall {
    pub(crate) client: postgres::Client,
    /// statements prepared on this connection, by their text
    pub(crate) prepared: crate::db::Prepared,
    shown: String,
    /// kept to connect again and look, after a commit whose answer was lost
    address: HallAddress,
    password: ServerPassword,
}

impl std::fmt::Debug for Hall {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Hall({})", self.shown)
    }
}

/// rustls over `ring`, trusting only the hall's CA certificates in `ca` (PEM), showing the
/// desk's certificate and key (PEM) when given.
fn tls_connector(ca: &Path, client: Option<&(PathBuf, PathBuf)>) -> Result<tokio_postgres_rustls::MakeRustlsConnect, PgError> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;
    let bad = |why: String| PgError::TlsCa { path: ca.to_path_buf(), why };
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(ca).map_err(|e| bad(e.to_string()))? {
        roots.add(cert.map_err(|e| bad(e.to_string()))?).map_err(|e| bad(e.to_string()))?;
    }
    if roots.is_empty() {
        return Err(bad("no certificate in the file".into()));
    }
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider).with_safe_default_protocol_versions().map_err(|e| bad(e.to_string()))?.with_root_certificates(roots);
    let config = match client {
        None => config.with_no_client_auth(),
        Some((cert, key)) => {
            use rustls::pki_types::PrivateKeyDer;
            let bad_cert = |why: String| PgError::TlsClient { path: cert.clone(), why };
            let chain = CertificateDer::pem_file_iter(cert).map_err(|e| bad_cert(e.to_string()))?.collect::<Result<Vec<_>, _>>().map_err(|e| bad_cert(e.to_string()))?;
            if chain.is_empty() {
                return Err(bad_cert("no certificate in the file".into()));
            }
            let private = PrivateKeyDer::from_pem_file(key).map_err(|e| PgError::TlsClient { path: key.clone(), why: e.to_string() })?;
            config.with_client_auth_cert(chain, private).map_err(|e| PgError::TlsClient { path: key.clone(), why: format!("not the certificate's key: {e}") })?
        }
    };
    Ok(tokio_postgres_rustls::MakeRustlsConnect::new(config))
}

impl Hall {
    /// Connects with the role's password. The client copies the password into its own
    /// configuration for the handshake; that copy lives only for this call.
    pub fn connect(address: &HallAddress, password: &ServerPassword) -> Result<Hall, PgError> {
        let mut config = address.config.clone();
        config.password(password.0.as_bytes());
        let connected = match &address.tls_ca {
            None => config.connect(postgres::NoTls),
            Some(ca) => config.connect(tls_connector(ca, address.client_cert.as_ref())?),
        };
        let client = connected.map_err(|source| PgError::Connect { server: address.shown.clone(), source })?;
        Ok(Hall { client, prepared: Default::default(), shown: address.shown.clone(), address: address.clone(), password: password.clone() })
    }

    /// A new connection to the same server as the same role (after this one was lost, or for
    /// a second handle on the hall).
    pub fn connect_again(&self) -> Result<Hall, PgError> {
        Hall::connect(&self.address, &self.password)
    }

    /// The server this desk works on, as shown to people.
    pub fn server(&self) -> &str {
        &self.shown
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
    fn an_address_with_a_password_is_refused_without_echoing_it() {
        let err = HallAddress::parse("postgres://clerk:s3cret@hall.local:5433/certdesk").expect_err("a password in the URL");
        assert!(matches!(err, PgError::PasswordInUrl { .. }), "{err:?}");
        assert!(!err.to_string().contains("s3cret") && !format!("{err:?}").contains("s3cret"), "{err}");
        assert!(err.to_string().contains("clerk@hall.local:5433/certdesk"), "{err}");
    }

    #[test]
    fn a_client_certificate_comes_with_its_key_and_over_tls_only() {
        let base = "postgres://clerk@h/hall?sslmode=verify-full&sslrootcert=/ca.pem";
        let a = HallAddress::parse(&format!("{base}&sslcert=/desk.pem&sslkey=/desk.key")).expect("a client certificate");
        assert_eq!(a.client_cert, Some((PathBuf::from("/desk.pem"), PathBuf::from("/desk.key"))));
        assert!(matches!(HallAddress::parse(&format!("{base}&sslcert=/desk.pem")), Err(PgError::TlsClient { .. })));
        assert!(matches!(HallAddress::parse(&format!("{base}&sslkey=/desk.key")), Err(PgError::TlsClient { .. })));
        assert!(matches!(HallAddress::parse("postgres://clerk@h/hall?sslcert=/desk.pem&sslkey=/desk.key"), Err(PgError::Invalid(_))));
    }

    #[test]
    fn an_address_is_shown_without_secrets_and_tls_is_not_faked() {
        let a = HallAddress::parse("postgres://clerk@10.0.0.5:5433/hall?sslmode=disable").expect("an address");
        assert_eq!(a.shown(), "clerk@10.0.0.5:5433/hall");
        assert!(matches!(HallAddress::parse("postgres://clerk@h/hall?sslmode=require"), Err(PgError::TlsNeedsCa { .. })));
        let tls = HallAddress::parse("postgres://clerk@h/hall?sslmode=verify-full&sslrootcert=/etc/certdesk/hall-ca.pem&connect_timeout=5").expect("TLS with a CA");
        assert_eq!((tls.shown(), tls.tls_ca.as_deref()), ("clerk@h:5432/hall", Some(Path::new("/etc/certdesk/hall-ca.pem"))));
        assert_eq!(tls.config.get_connect_timeout(), Some(&Duration::from_secs(5)));
        assert!(HallAddress::parse("postgres://clerk@h/hall?sslmode=prefer").expect("in clear").tls_ca.is_none());
        let bad = HallAddress::parse("postgres://clerk:pw@h:notaport/x").expect_err("a bad port");
        assert!(!bad.to_string().contains("pw@"), "{bad}");
    }

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
        let found = |url: &str| ServerPassword::from_pgpass(&file, &HallAddress::parse(url).expect("an address")).expect("reading").map(|p| p.0.to_string());
        assert_eq!(found("postgres://clerk@10.0.0.5:5433/hall").as_deref(), Some("p:w\\d:x"));
        assert_eq!(found("postgres://li@10.0.0.5:5433/hall").as_deref(), Some("fallback"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).expect("chmod");
            let err = ServerPassword::from_pgpass(&file, &HallAddress::parse("postgres://clerk@h/hall").expect("an address")).expect_err("others may read it");
            assert!(err.to_string().contains("chmod 600"), "{err}");
        }
    }

    #[test]
    fn a_password_is_never_printed() {
        let p = ServerPassword::new("s3cret".into());
        assert_eq!(format!("{p:?}"), "ServerPassword(***)");
    }
}
