//! A hall's address: what a desk is given to find the hall's database server(s), parsed once.
//! Owns the `postgres://` URL without its password, how it is shown, its TLS files, the servers
//! it names one by one (a standby beside the primary: `postgres://h1:p1,h2:p2/db?
//! target_session_attrs=read-write`), whether a desk looks for the one that takes writes, the
//! bound on a write's waits (`standby_wait`), and the rule that applicants' data crosses a
//! network only under TLS: a server other than this computer (`localhost`, a loopback address,
//! a Unix socket folder) needs `sslmode=verify-full&sslrootcert=FILE` (#30). Does not connect
//! (`super::Hall` does).

use super::{PgError, TlsFileProblem};
use postgres::config::Host;
use std::net::IpAddr;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

/// How long a change waits for the hall's write lock, and its commit for a synchronous standby,
/// before the desk says so (seconds), unless the address says `standby_wait=S`.
pub const STANDBY_WAIT_S: u64 = 8;

/// One server of a hall, as the address names it: what `store status` and the app's header
/// show ("which server the desk is on").
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
pub struct ServerName {
    /// the host name or address as the address gives it (a socket folder for a local socket)
    pub host: String,
    pub port: u16,
}

impl std::fmt::Display for ServerName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.host, self.port)
    }
}

/// A parsed `postgres://USER@HOST:PORT/DB?…` address without a password, and how it is shown
/// (logs, the app's status line): `USER@HOST:PORT/DB`, every server when it names several
/// (`USER@H1:P1,H2:P2/DB`). With TLS, the CA certificate file the server's certificate is
/// checked against (`sslrootcert`), and the desk's own certificate and key where the server asks
/// for one (`sslcert`, `sslkey`: PEM).
#[derive(Clone)]
pub struct HallAddress {
    pub(super) config: postgres::Config,
    shown: String,
    pub(super) tls_ca: Option<PathBuf>,
    pub(super) client_cert: Option<(PathBuf, PathBuf)>,
    /// a desk connects only to a server that takes writes (`target_session_attrs=read-write`,
    /// or several servers named without `target_session_attrs`)
    pub(super) writer_only: bool,
    pub(super) standby_wait: Duration,
}

/// The parameters of an address's query the client does not know itself, or that certdesk
/// decides on: TLS (the client knows only disable/prefer/require), the write bound, and whether
/// `target_session_attrs` was given.
#[derive(Default)]
struct OwnParams {
    mode: Option<String>,
    ca: Option<PathBuf>,
    cert: Option<PathBuf>,
    key: Option<PathBuf>,
    standby_wait: Option<String>,
    session_attrs: Option<String>,
}

/// The address without certdesk's own parameters, and those.
fn split_params(url: &str) -> (String, OwnParams) {
    let Some((base, query)) = url.split_once('?') else { return (url.to_string(), OwnParams::default()) };
    let (mut own, mut kept) = (OwnParams::default(), Vec::new());
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        match pair.split_once('=') {
            Some(("sslmode", v)) => own.mode = Some(v.to_string()),
            Some(("sslrootcert", v)) => own.ca = Some(PathBuf::from(v)),
            Some(("sslcert", v)) => own.cert = Some(PathBuf::from(v)),
            Some(("sslkey", v)) => own.key = Some(PathBuf::from(v)),
            Some(("standby_wait", v)) => own.standby_wait = Some(v.to_string()),
            Some(("target_session_attrs", v)) => own.session_attrs = Some(v.to_string()),
            _ => kept.push(pair),
        }
    }
    let url = if kept.is_empty() { base.to_string() } else { format!("{base}?{}", kept.join("&")) };
    (url, own)
}

impl std::fmt::Debug for HallAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "HallAddress({})", self.shown)
    }
}

impl HallAddress {
    pub fn parse(url: &str) -> Result<HallAddress, PgError> {
        let (url, own) = split_params(url);
        let OwnParams { mode, ca, cert, key, standby_wait, session_attrs } = own;
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
        if tls_ca.is_none()
            && let Some(host) = first_remote(&config)
        {
            return Err(PgError::TlsRequired { host });
        }
        let client_cert = match (cert, key) {
            (None, None) => None,
            (Some(cert), Some(key)) if tls_ca.is_some() => Some((cert, key)),
            (Some(_), Some(_)) => return Err(PgError::ClientCertNeedsTls),
            (Some(cert), None) => return Err(PgError::TlsClient { path: cert, source: TlsFileProblem::CertWithoutKey }),
            (None, Some(key)) => return Err(PgError::TlsClient { path: key, source: TlsFileProblem::KeyWithoutCert }),
        };
        let several = config.get_hosts().len().max(config.get_hostaddrs().len()) > 1;
        let writer_only = match session_attrs.as_deref() {
            None => several,
            Some("read-write" | "primary") => true,
            Some("any") => false,
            Some(other) => {
                return Err(PgError::SessionAttrs { given: other.to_string() });
            }
        };
        let standby_wait = match standby_wait {
            None => Duration::from_secs(STANDBY_WAIT_S),
            Some(s) => match s.parse::<u64>() {
                Ok(n @ 1..=600) => Duration::from_secs(n),
                _ => return Err(PgError::BadStandbyWait { given: s.to_string() }),
            },
        };
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(10));
        }
        if config.get_application_name().is_none() {
            config.application_name("certdesk");
        }
        Ok(HallAddress { config, shown, tls_ca, client_cert, writer_only, standby_wait })
    }

    /// `USER@HOST:PORT/DB` (every server, when it names several), safe to log and to show.
    pub fn shown(&self) -> &str {
        &self.shown
    }

    /// The first server's host name (or socket folder), as a pgpass line names it.
    pub fn host(&self) -> String {
        self.servers().first().map(|(s, _)| s.host.clone()).unwrap_or_else(|| "localhost".into())
    }

    /// The first server's port.
    pub fn port(&self) -> u16 {
        self.config.get_ports().first().copied().unwrap_or(5432)
    }

    pub fn database(&self) -> &str {
        self.config.get_dbname().unwrap_or("")
    }

    pub fn user(&self) -> &str {
        self.config.get_user().unwrap_or("")
    }

    /// How long a change waits for the hall's write lock, and its commit for a synchronous
    /// standby, before the desk is told (`standby_wait=S` in the address; 8 s by default).
    pub fn standby_wait(&self) -> Duration {
        self.standby_wait
    }

    /// Whether a desk connects only to a server that takes writes.
    pub fn writer_only(&self) -> bool {
        self.writer_only
    }

    /// The `USER@HOST:PORT/DB` of one server of this address.
    pub fn shown_on(&self, server: &ServerName) -> String {
        format!("{}@{server}/{}", self.config.get_user().unwrap_or("?"), self.config.get_dbname().unwrap_or("?"))
    }

    /// Each server the address names, in its order, with the client's configuration for that
    /// one alone (everything else of the address kept: role, database, timeouts, TLS mode,
    /// keepalives). The desk tries them one by one, so it knows which one it is on and why
    /// the others were passed over.
    pub(super) fn servers(&self) -> Vec<(ServerName, postgres::Config)> {
        let c = &self.config;
        let (hosts, addrs, ports) = (c.get_hosts(), c.get_hostaddrs(), c.get_ports());
        let n = hosts.len().max(addrs.len()).max(1);
        (0..n)
            .map(|i| {
                let mut one = postgres::Config::new();
                if let Some(user) = c.get_user() {
                    one.user(user);
                }
                if let Some(db) = c.get_dbname() {
                    one.dbname(db);
                }
                if let Some(options) = c.get_options() {
                    one.options(options);
                }
                if let Some(name) = c.get_application_name() {
                    one.application_name(name);
                }
                one.ssl_mode(c.get_ssl_mode()).ssl_negotiation(c.get_ssl_negotiation()).channel_binding(c.get_channel_binding());
                if let Some(t) = c.get_connect_timeout() {
                    one.connect_timeout(*t);
                }
                if let Some(t) = c.get_tcp_user_timeout() {
                    one.tcp_user_timeout(*t);
                }
                one.keepalives(c.get_keepalives()).keepalives_idle(c.get_keepalives_idle());
                if let Some(t) = c.get_keepalives_interval() {
                    one.keepalives_interval(t);
                }
                if let Some(n) = c.get_keepalives_retries() {
                    one.keepalives_retries(n);
                }
                let host = match hosts.get(i) {
                    Some(Host::Tcp(h)) => {
                        one.host(h);
                        h.clone()
                    }
                    #[cfg(unix)]
                    Some(Host::Unix(p)) => {
                        one.host_path(p);
                        p.display().to_string()
                    }
                    None => String::new(),
                };
                let host = match addrs.get(i) {
                    Some(addr) => {
                        one.hostaddr(*addr);
                        if host.is_empty() { addr.to_string() } else { host }
                    }
                    None if host.is_empty() => "localhost".into(),
                    None => host,
                };
                let port = ports.get(i).or(ports.first()).copied().unwrap_or(5432);
                one.port(port);
                (ServerName { host, port }, one)
            })
            .collect()
    }
}

/// The first server an address names that is not this computer, if any: a host other than
/// `localhost` or a loopback address (`127.0.0.1`, `::1`), not a Unix socket folder. Where the
/// address gives a server's `hostaddr`, that is where the connection goes, whatever the name.
fn first_remote(config: &postgres::Config) -> Option<String> {
    let (hosts, addrs) = (config.get_hosts(), config.get_hostaddrs());
    (0..hosts.len().max(addrs.len())).find_map(|i| {
        if let Some(addr) = addrs.get(i) {
            return (!addr.is_loopback()).then(|| addr.to_string());
        }
        match hosts.get(i)? {
            Host::Tcp(h) => (!is_local_name(h)).then(|| h.clone()),
            #[allow(unreachable_patterns)]
            _ => None,
        }
    })
}

/// `localhost` or a loopback address, as a host name of an address gives it.
fn is_local_name(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost") || host.trim_start_matches('[').trim_end_matches(']').parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

fn shown(config: &postgres::Config) -> String {
    let hosts = config.get_hosts();
    let ports = config.get_ports();
    let servers: Vec<String> = if hosts.is_empty() {
        vec![format!("localhost:{}", ports.first().copied().unwrap_or(5432))]
    } else {
        hosts
            .iter()
            .enumerate()
            .map(|(i, h)| {
                let host = match h {
                    Host::Tcp(h) => h.clone(),
                    #[allow(unreachable_patterns)]
                    other => format!("{other:?}"),
                };
                format!("{host}:{}", ports.get(i).or(ports.first()).copied().unwrap_or(5432))
            })
            .collect()
    };
    format!("{}@{}/{}", config.get_user().unwrap_or("?"), servers.join(","), config.get_dbname().unwrap_or("?"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    /// TLS checked against the hall's CA: what an address of a server elsewhere needs.
    const TLS: &str = "sslmode=verify-full&sslrootcert=/ca.pem";

    #[test]
    fn a_hall_on_another_computer_needs_tls_checked_against_its_ca() {
        // this computer: in clear is allowed (the throwaway cluster of the tests, a hall's own server)
        for local in [
            "postgres://desk@localhost:5433/hall",
            "postgres://desk@LOCALHOST/hall",
            "postgres://desk@127.0.0.1/hall?sslmode=disable",
            "postgres://desk@127.0.0.2/hall",
            "postgres://desk@[::1]:5433/hall?sslmode=prefer",
            "postgres://desk@/hall",
            "postgres://desk@%2Fvar%2Frun%2Fpostgresql/hall",
            "host=/var/run/postgresql user=desk dbname=hall",
            "host=localhost hostaddr=127.0.0.1 user=desk dbname=hall",
            "postgres://desk@localhost:5433,127.0.0.1:5434/hall",
        ] {
            let a = HallAddress::parse(local).unwrap_or_else(|e| panic!("{local}: {e}"));
            assert!(a.tls_ca.is_none(), "{local}");
        }
        // another computer: refused in clear, naming the host and what the address needs
        for (remote, host) in [
            ("postgres://desk@hall.local:5432/hall", "hall.local"),
            ("postgres://desk@10.0.0.5:5433/hall?sslmode=disable", "10.0.0.5"),
            ("postgres://desk@192.168.1.20/hall?sslmode=prefer", "192.168.1.20"),
            ("postgres://desk@[fe80::1]/hall?sslmode=allow", "fe80::1"),
            ("postgres://desk@localhost.example.com/hall", "localhost.example.com"),
            ("postgres://desk@localhost:5433,hall-b:5432/hall?target_session_attrs=read-write", "hall-b"),
            ("host=localhost hostaddr=10.0.0.7 user=desk dbname=hall", "10.0.0.7"),
            ("host=hall-a port=5432 user=desk dbname=hall sslmode=require", "hall-a"),
        ] {
            let err = HallAddress::parse(remote).expect_err(remote);
            assert!(matches!(&err, PgError::TlsRequired { host: h } if h == host), "{remote}: {err:?}");
            let text = err.to_string();
            assert!(text.contains(&format!("the hall at {host} is not on this computer")) && text.contains("sslmode=verify-full&sslrootcert=FILE"), "{text}");
        }
        // with TLS checked against the hall's CA, any host
        for mode in ["verify-full", "verify-ca", "require"] {
            let a = HallAddress::parse(&format!("postgres://desk@hall.local/hall?sslmode={mode}&sslrootcert=/ca.pem")).expect(mode);
            assert_eq!(a.tls_ca.as_deref(), Some(Path::new("/ca.pem")), "{mode}");
        }
        assert!(
            matches!(HallAddress::parse("postgres://desk@hall.local/hall?sslmode=verify-full"), Err(PgError::TlsNeedsCa { .. })),
            "TLS without the CA is still refused as such"
        );
        assert!(HallAddress::parse(&format!("postgres://desk@localhost,hall-b/hall?{TLS}")).is_ok());
    }

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
        assert!(matches!(HallAddress::parse(&format!("{base}&sslcert=/desk.pem")), Err(PgError::TlsClient { source: TlsFileProblem::CertWithoutKey, .. })));
        assert!(matches!(HallAddress::parse(&format!("{base}&sslkey=/desk.key")), Err(PgError::TlsClient { source: TlsFileProblem::KeyWithoutCert, .. })));
        assert!(matches!(HallAddress::parse("postgres://clerk@localhost/hall?sslcert=/desk.pem&sslkey=/desk.key"), Err(PgError::ClientCertNeedsTls)));
    }

    #[test]
    fn an_address_is_shown_without_secrets_and_tls_is_not_faked() {
        let a = HallAddress::parse("postgres://clerk@10.0.0.5:5433/hall?sslmode=verify-full&sslrootcert=/ca.pem").expect("an address");
        assert_eq!(a.shown(), "clerk@10.0.0.5:5433/hall");
        assert_eq!(HallAddress::parse("postgres://clerk@127.0.0.1:5433/hall?sslmode=disable").expect("in clear on this computer").shown(), "clerk@127.0.0.1:5433/hall");
        assert!(matches!(HallAddress::parse("postgres://clerk@h/hall?sslmode=require"), Err(PgError::TlsNeedsCa { .. })));
        let tls = HallAddress::parse("postgres://clerk@h/hall?sslmode=verify-full&sslrootcert=/etc/certdesk/hall-ca.pem&connect_timeout=5").expect("TLS with a CA");
        assert_eq!((tls.shown(), tls.tls_ca.as_deref()), ("clerk@h:5432/hall", Some(Path::new("/etc/certdesk/hall-ca.pem"))));
        assert_eq!(tls.config.get_connect_timeout(), Some(&Duration::from_secs(5)));
        assert!(HallAddress::parse("postgres://clerk@localhost/hall?sslmode=prefer").expect("in clear").tls_ca.is_none());
        let bad = HallAddress::parse("postgres://clerk:pw@h:notaport/x").expect_err("a bad port");
        assert!(!bad.to_string().contains("pw@"), "{bad}");
    }

    #[test]
    fn several_servers_are_tried_one_by_one_with_everything_else_of_the_address() {
        let a = HallAddress::parse(&format!(
            "postgres://desk@hall-a:5433,hall-b/certdesk?target_session_attrs=read-write&connect_timeout=3&application_name=desk7&keepalives_idle=30&{TLS}"
        ))
        .expect("two servers");
        assert_eq!(a.shown(), "desk@hall-a:5433,hall-b:5432/certdesk");
        assert!(a.writer_only());
        let servers = a.servers();
        let names: Vec<String> = servers.iter().map(|(s, _)| s.to_string()).collect();
        assert_eq!(names, ["hall-a:5433", "hall-b:5432"]);
        for (server, one) in &servers {
            assert_eq!(one.get_hosts(), [Host::Tcp(server.host.clone())]);
            assert_eq!(one.get_ports(), [server.port]);
            assert_eq!((one.get_user(), one.get_dbname(), one.get_application_name()), (Some("desk"), Some("certdesk"), Some("desk7")));
            assert_eq!(one.get_connect_timeout(), Some(&Duration::from_secs(3)));
            assert_eq!(one.get_keepalives_idle(), Duration::from_secs(30));
        }
        assert_eq!(a.shown_on(&servers[1].0), "desk@hall-b:5432/certdesk");
        // one port for every server; several servers without target_session_attrs: the writer
        let same_port = HallAddress::parse("host=localhost,127.0.0.1 port=6000 user=desk dbname=certdesk").expect("one port");
        assert!(same_port.writer_only());
        assert_eq!(same_port.servers().iter().map(|(s, _)| s.port).collect::<Vec<_>>(), [6000, 6000]);
        assert!(!HallAddress::parse(&format!("postgres://desk@h1,h2/certdesk?target_session_attrs=any&{TLS}")).expect("any").writer_only());
        assert!(!HallAddress::parse(&format!("postgres://desk@h1/certdesk?{TLS}")).expect("one").writer_only());
        assert!(matches!(HallAddress::parse(&format!("postgres://desk@h1,h2/certdesk?target_session_attrs=read-only&{TLS}")), Err(PgError::SessionAttrs { .. })));
    }

    #[test]
    fn the_standby_wait_is_a_bounded_number_of_seconds() {
        assert_eq!(HallAddress::parse("postgres://desk@localhost/hall").expect("default").standby_wait(), Duration::from_secs(STANDBY_WAIT_S));
        assert_eq!(HallAddress::parse("postgres://desk@localhost/hall?standby_wait=3").expect("3 s").standby_wait(), Duration::from_secs(3));
        for bad in ["0", "601", "2.5", "x"] {
            assert!(matches!(HallAddress::parse(&format!("postgres://desk@localhost/hall?standby_wait={bad}")), Err(PgError::BadStandbyWait { .. })), "{bad}");
        }
    }
}
