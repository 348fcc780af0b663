//! The RA's HTTP, as little as SCEP needs: `GET ?operation=…&message=…` and
//! `POST ?operation=PKIOperation`, over HTTP/1.0 so that the answer ends with the connection
//! (no chunked bodies to undo). Plain `http://` only: a SCEP message is signed and encrypted
//! itself (RFC 8894 §4.1). Owns the URL's parts, the time limits and the size cap.

use crate::{MalformedScep, ScepError};
use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

/// The largest answer read: a certificate chain is a few kilobytes.
pub const MAX_ANSWER_BYTES: u64 = 1024 * 1024;
const CONNECT: Duration = Duration::from_secs(5);
/// An RA may sign on an HSM; the clerk sees the progress meanwhile.
const ANSWER: Duration = Duration::from_secs(30);

/// `http://host[:port]/path`, split.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Url {
    pub host: String,
    pub port: u16,
    pub path: String,
}

/// What is wrong with an RA's address as given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AddressProblem {
    #[error("https is not supported; SCEP messages are signed and encrypted, use the RA's http:// address")]
    Https,
    #[error("it must start with http://")]
    NotHttp,
    #[error("the address must not carry a query; certdesk adds operation=…")]
    Query,
    #[error("the port is not a number from 1 to 65535")]
    Port,
    #[error("no host")]
    NoHost,
}

/// Why the exchange with the RA broke off before a whole answer came back.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Unreachable {
    #[error("the host name: {0}")]
    HostName(#[source] std::io::Error),
    /// The host name resolved to no address at all.
    #[error("no address")]
    NoAddress,
    /// The last address tried refused or timed out.
    #[error(transparent)]
    Connect(std::io::Error),
    #[error(transparent)]
    Timeouts(std::io::Error),
    #[error("sending: {0}")]
    Sending(#[source] std::io::Error),
    #[error("reading the answer: {0}")]
    Reading(#[source] std::io::Error),
}

pub fn parse_url(url: &str) -> Result<Url, ScepError> {
    let bad = |problem: AddressProblem| ScepError::Address { url: url.to_string(), problem };
    let rest = url.trim().strip_prefix("http://").ok_or_else(|| if url.trim().starts_with("https://") { bad(AddressProblem::Https) } else { bad(AddressProblem::NotHttp) })?;
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    if path.contains(['?', '#', ' ']) {
        return Err(bad(AddressProblem::Query));
    }
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(']') || h.starts_with('[') => (h, p.parse::<u16>().map_err(|_| bad(AddressProblem::Port))?),
        _ => (authority, 80),
    };
    if host.is_empty() || port == 0 || host.contains(['@', ' ']) {
        return Err(bad(AddressProblem::NoHost));
    }
    Ok(Url { host: host.trim_start_matches('[').trim_end_matches(']').to_string(), port, path: path.to_string() })
}

fn percent(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

/// `GET path?operation=op&message=message`: the answer's content type and body.
pub fn get(url: &str, operation: &str, message: &str) -> Result<(String, Vec<u8>), ScepError> {
    let u = parse_url(url)?;
    let target = format!("{}?operation={}&message={}", u.path, percent(operation), percent(message));
    exchange(url, &u, &format!("GET {target} HTTP/1.0\r\nHost: {}\r\nAccept: */*\r\n\r\n", u.host), &[])
}

/// `POST path?operation=op` with `body`.
pub fn post(url: &str, operation: &str, body: &[u8]) -> Result<(String, Vec<u8>), ScepError> {
    let u = parse_url(url)?;
    let head = format!(
        "POST {}?operation={} HTTP/1.0\r\nHost: {}\r\nContent-Type: application/x-pki-message\r\nContent-Length: {}\r\n\r\n",
        u.path,
        percent(operation),
        u.host,
        body.len()
    );
    exchange(url, &u, &head, body)
}

fn exchange(url: &str, u: &Url, head: &str, body: &[u8]) -> Result<(String, Vec<u8>), ScepError> {
    let unreachable = |source: Unreachable| ScepError::Unreachable { url: url.to_string(), source };
    let addrs: Vec<_> = (u.host.as_str(), u.port).to_socket_addrs().map_err(|e| unreachable(Unreachable::HostName(e)))?.collect();
    let mut last = Unreachable::NoAddress;
    let mut stream = None;
    for a in addrs {
        match TcpStream::connect_timeout(&a, CONNECT) {
            Ok(s) => {
                stream = Some(s);
                break;
            }
            Err(e) => last = Unreachable::Connect(e),
        }
    }
    let mut stream = stream.ok_or_else(|| unreachable(last))?;
    stream.set_read_timeout(Some(ANSWER)).and_then(|_| stream.set_write_timeout(Some(ANSWER))).map_err(|e| unreachable(Unreachable::Timeouts(e)))?;
    stream.write_all(head.as_bytes()).and_then(|_| stream.write_all(body)).map_err(|e| unreachable(Unreachable::Sending(e)))?;
    let mut answer = Vec::new();
    stream.take(MAX_ANSWER_BYTES + 1).read_to_end(&mut answer).map_err(|e| unreachable(Unreachable::Reading(e)))?;
    if answer.len() as u64 > MAX_ANSWER_BYTES {
        return Err(ScepError::Malformed(MalformedScep::AnswerTooLarge { limit: MAX_ANSWER_BYTES }));
    }
    split_answer(&answer)
}

/// The status line, headers and body of an HTTP/1.x answer read to its end.
fn split_answer(answer: &[u8]) -> Result<(String, Vec<u8>), ScepError> {
    let end = answer.windows(4).position(|w| w == b"\r\n\r\n").ok_or_else(|| ScepError::Malformed(MalformedScep::NoHeadersEnd))?;
    let head = String::from_utf8_lossy(&answer[..end]);
    let mut lines = head.split("\r\n");
    let status: u16 = lines.next().and_then(|l| l.split_whitespace().nth(1)).and_then(|s| s.parse().ok()).ok_or_else(|| ScepError::Malformed(MalformedScep::NoHttpStatus))?;
    let mut content_type = String::new();
    let mut length: Option<usize> = None;
    for line in lines {
        if let Some((k, v)) = line.split_once(':') {
            match k.trim().to_ascii_lowercase().as_str() {
                "content-type" => content_type = v.trim().to_ascii_lowercase(),
                "content-length" => length = v.trim().parse().ok(),
                "transfer-encoding" if !v.trim().eq_ignore_ascii_case("identity") => {
                    return Err(ScepError::Malformed(MalformedScep::TransferEncoding { encoding: v.trim().to_string() }));
                }
                _ => {}
            }
        }
    }
    let mut body = answer[end + 4..].to_vec();
    if let Some(n) = length {
        if body.len() < n {
            return Err(ScepError::Malformed(MalformedScep::Truncated { got: body.len(), length: n }));
        }
        body.truncate(n);
    }
    if status != 200 {
        let text: String = String::from_utf8_lossy(&body).chars().take(300).collect();
        return Err(ScepError::Http { status, body: text.trim().to_string() });
    }
    Ok((content_type, body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_split_or_refused_with_the_reason() {
        assert_eq!(parse_url("http://127.0.0.1:8080/scep").unwrap(), Url { host: "127.0.0.1".into(), port: 8080, path: "/scep".into() });
        assert_eq!(parse_url("http://ra.example.cn").unwrap().port, 80);
        assert_eq!(parse_url("http://[::1]:9/scep").unwrap().host, "::1");
        use AddressProblem::*;
        for (bad, expected) in [("https://ra/scep", Https), ("ra:80/scep", NotHttp), ("http://:80/x", NoHost), ("http://ra:x/scep", Port), ("http://ra/scep?operation=x", Query)] {
            assert!(matches!(parse_url(bad), Err(ScepError::Address { problem, .. }) if problem == expected), "{bad}");
        }
    }

    #[test]
    fn an_address_nobody_answers_at_keeps_the_io_error() {
        // a port just released: nothing listens there
        let port = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port").local_addr().expect("its address").port();
        let url = format!("http://127.0.0.1:{port}/scep");
        let Err(err) = get(&url, "GetCACaps", "") else { panic!("a closed port answered") };
        assert!(matches!(&err, ScepError::Unreachable { source: Unreachable::Connect(e), .. } if e.kind() == std::io::ErrorKind::ConnectionRefused), "{err:?}");
        assert!(err.to_string().starts_with(&format!("the RA at {url} cannot be reached: ")), "{err}");
    }

    #[test]
    fn an_answer_is_split_and_an_error_status_says_the_body() {
        let (ct, body) = split_answer(b"HTTP/1.0 200 OK\r\nContent-Type: application/x-x509-ca-cert\r\nContent-Length: 3\r\n\r\nabcdef").unwrap();
        assert_eq!((ct.as_str(), body.as_slice()), ("application/x-x509-ca-cert", &b"abc"[..]));
        let e = split_answer(b"HTTP/1.1 500 Internal Server Error\r\n\r\ninvalid challenge\n").unwrap_err();
        assert!(matches!(e, ScepError::Http { status: 500, ref body } if body == "invalid challenge"), "{e}");
        let short = split_answer(b"HTTP/1.0 200 OK\r\nContent-Length: 9\r\n\r\nabc").unwrap_err();
        assert!(matches!(short, ScepError::Malformed(MalformedScep::Truncated { got: 3, length: 9 })), "{short:?}");
        assert_eq!(short.to_string(), "the RA's answer is not a SCEP message: the answer ended after 3 of its 9 bytes");
        let chunked = split_answer(b"HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc").unwrap_err();
        assert_eq!(chunked.to_string(), "the RA's answer is not a SCEP message: a chunked body to an HTTP/1.0 request");
        assert!(matches!(split_answer(b"garbage"), Err(ScepError::Malformed(MalformedScep::NoHeadersEnd))));
    }
}
