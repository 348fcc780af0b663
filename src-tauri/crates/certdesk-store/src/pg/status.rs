//! What a hall's servers are doing, as a desk learns it with its own role: which server of the
//! address takes writes (and whether any does: 服务器切换中 when none), which one this desk is
//! on, each server's answer (primary, standby in recovery, or no answer and why), and the
//! primary's standbys with their replication lag (`pg_stat_replication`, whose details
//! PostgreSQL shows only to roles in `pg_monitor`/`pg_read_all_stats`), and whether the
//! primary's commits wait for a synchronous standby that is not there. What `certdesk store
//! status` and the app's header show. Reads only; never fails for the servers' sake (a server
//! that does not answer is part of the answer). Does not decide what a desk does about it.

use super::{Hall, HallAddress, ServerName, ServerPassword, connect_one};
use serde::Serialize;
use std::time::Duration;

/// The hall's servers as a desk sees them now.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct HallStatus {
    /// the address, `USER@HOST:PORT[,HOST:PORT…]/DB`
    pub address: String,
    /// the server that takes writes; `None`: no server of the address takes writes now
    /// (服务器切换中: the primary gone, its standby not promoted yet)
    pub writable: Option<ServerName>,
    /// whether this desk can write now: a server of its address takes writes and answered it
    pub can_write: bool,
    /// the server this desk's connection is on; `None` when asked without a connection or
    /// after the connection was lost
    pub connected: Option<ServerName>,
    /// every server the address names, in its order, as it answered
    pub servers: Vec<ServerState>,
    /// the writable server's standbys, with their lag
    pub standbys: Vec<Standby>,
    /// the writable server's `synchronous_standby_names` (empty: it commits alone)
    pub synchronous_standby_names: Option<String>,
    /// the writable server waits at each commit for a synchronous standby and none is
    /// connected: every change will wait `standby_wait` and be reported saved but unconfirmed
    pub commits_wait_for_standby: bool,
    /// PostgreSQL hid the standbys' state and lag from this role (grant it `pg_monitor`)
    pub standby_details_hidden: bool,
    /// more than one server of the address takes writes: two primaries (the old one started
    /// again as a writer after a failover). Stop one before anything else is written.
    pub several_writable: bool,
}

/// What a server is to the hall.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum ServerRole {
    /// takes writes
    Primary,
    /// in recovery, following a primary: reads only
    Standby,
    /// did not answer (down, unreachable, refused the desk's role)
    Unreachable,
}

/// One server of the address, as it answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct ServerState {
    pub server: ServerName,
    pub role: ServerRole,
    /// `pg_is_in_recovery()`
    pub in_recovery: Option<bool>,
    /// `transaction_read_only` of a session there
    pub read_only: Option<bool>,
    /// why it did not answer
    pub error: Option<String>,
}

/// A standby of the writable server (`pg_stat_replication`). The lags are the server's last
/// measured ones (PostgreSQL clears them once a standby has caught up and nothing is written);
/// `replay_behind_bytes` is what the primary has written that the standby has not replayed yet.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct Standby {
    /// its `application_name` (`cluster_name` by default)
    pub name: String,
    pub client_addr: Option<String>,
    /// `streaming`, `catchup`, `startup`, …; `None` when hidden from this role
    pub state: Option<String>,
    /// `sync`, `quorum`, `potential`, `async`; `None` when hidden from this role
    pub sync_state: Option<String>,
    pub write_lag_ms: Option<f64>,
    pub flush_lag_ms: Option<f64>,
    pub replay_lag_ms: Option<f64>,
    pub replay_behind_bytes: Option<i64>,
}

/// How long the status waits for a server that does not answer: a header that refreshes must
/// not hang on a machine that is gone.
const PROBE_TIMEOUT: Duration = Duration::from_secs(3);

/// What the writable server says of its standbys and its commits.
struct PrimaryView {
    standbys: Vec<Standby>,
    hidden: bool,
    sync_names: String,
    commits_wait: bool,
}

/// A server's role, and for a primary its view of the standbys.
fn probe(client: &mut postgres::Client) -> Result<(ServerRole, bool, bool, Option<PrimaryView>), postgres::Error> {
    let row = client.query_one("SELECT pg_is_in_recovery(), current_setting('transaction_read_only') = 'on'", &[])?;
    let (in_recovery, read_only): (bool, bool) = (row.get(0), row.get(1));
    if in_recovery || read_only {
        return Ok((ServerRole::Standby, in_recovery, read_only, None));
    }
    let rows = client.query(
        "SELECT application_name, client_addr::text, state, sync_state, \
                (extract(epoch FROM write_lag) * 1000)::float8, (extract(epoch FROM flush_lag) * 1000)::float8, \
                (extract(epoch FROM replay_lag) * 1000)::float8, pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::int8 \
         FROM pg_stat_replication ORDER BY application_name",
        &[],
    )?;
    let standbys: Vec<Standby> = rows
        .iter()
        .map(|r| Standby {
            name: r.get::<_, Option<String>>(0).unwrap_or_default(),
            client_addr: r.get(1),
            state: r.get(2),
            sync_state: r.get(3),
            write_lag_ms: r.get(4),
            flush_lag_ms: r.get(5),
            replay_lag_ms: r.get(6),
            replay_behind_bytes: r.get(7),
        })
        .collect();
    let hidden = standbys.iter().any(|s| s.state.is_none());
    let settings = client.query_one("SELECT current_setting('synchronous_standby_names'), current_setting('synchronous_commit')", &[])?;
    let (sync_names, sync_commit): (String, String) = (settings.get(0), settings.get(1));
    let waits = !sync_names.trim().is_empty() && matches!(sync_commit.as_str(), "on" | "remote_write" | "remote_apply");
    let confirmed = standbys.iter().any(|s| matches!(s.sync_state.as_deref(), Some("sync" | "quorum")));
    // hidden details: only no standby at all is known to leave the commits waiting
    let commits_wait = waits && (standbys.is_empty() || (!hidden && !confirmed));
    Ok((ServerRole::Primary, false, false, Some(PrimaryView { standbys, hidden, sync_names, commits_wait })))
}

/// Asks every server of `address` (each on a connection of its own, at most 3 s each) what it
/// is; `connected` is a desk's own connection, used for the server it is on.
fn gather(address: &HallAddress, password: &ServerPassword, mut connected: Option<&mut Hall>) -> HallStatus {
    let mut status = HallStatus {
        address: address.shown().to_string(),
        writable: None,
        can_write: false,
        connected: connected.as_ref().filter(|h| !h.is_lost()).map(|h| h.on().clone()),
        servers: Vec::new(),
        standbys: Vec::new(),
        synchronous_standby_names: None,
        commits_wait_for_standby: false,
        standby_details_hidden: false,
        several_writable: false,
    };
    for (server, mut config) in address.servers() {
        let answer = match connected.as_deref_mut().filter(|h| !h.is_lost() && h.on() == &server) {
            Some(hall) => probe(&mut hall.client).map_err(|e| {
                // the desk's own connection is gone with its server
                status.connected = None;
                e.to_string()
            }),
            None => {
                if config.get_connect_timeout().is_none_or(|t| *t > PROBE_TIMEOUT) {
                    config.connect_timeout(PROBE_TIMEOUT);
                }
                connect_one(address, &server, config, password, None).map_err(|e| e.to_string()).and_then(|mut client| probe(&mut client).map_err(|e| e.to_string()))
            }
        };
        let state = match answer {
            Ok((role, in_recovery, read_only, view)) => {
                if let Some(view) = view {
                    if status.writable.is_some() {
                        status.several_writable = true;
                    } else {
                        status.writable = Some(server.clone());
                        status.standbys = view.standbys;
                        status.standby_details_hidden = view.hidden;
                        status.synchronous_standby_names = Some(view.sync_names);
                        status.commits_wait_for_standby = view.commits_wait;
                    }
                }
                ServerState { server, role, in_recovery: Some(in_recovery), read_only: Some(read_only), error: None }
            }
            Err(error) => ServerState { server, role: ServerRole::Unreachable, in_recovery: None, read_only: None, error: Some(error) },
        };
        status.servers.push(state);
    }
    status.can_write = status.writable.is_some();
    status
}

/// The hall's servers now, asked without a desk's connection (`certdesk store status` works
/// while no server takes writes, when a store cannot be opened).
pub fn status(address: &HallAddress, password: &ServerPassword) -> HallStatus {
    gather(address, password, None)
}

impl Hall {
    /// The hall's servers now, the one this connection is on asked on it.
    pub fn status(&mut self) -> HallStatus {
        let (address, password) = (self.address.clone(), self.password.clone());
        gather(&address, &password, Some(self))
    }
}
