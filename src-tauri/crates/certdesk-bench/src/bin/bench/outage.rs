//! How a desk of the hall benchmark carries on while the hall's server is away (`--during`: a
//! failover, a restore point): what the store's typed errors say was or was not written, and
//! what a careful clerk does about each. Nothing written (服务器连接中断, 服务器切换中, a write
//! given up after its bound): the same step again a moment later. Saved but unconfirmed by a
//! standby: done, and the case looked up for its number. Unknown: look before doing it again.
//! Anything else ends the desk. Owns none of the benchmark's figures.

use certdesk_desk::DeskError;
use certdesk_store::pg::PgError;
use certdesk_store::{ActError, AuthError, StoreError};
use std::time::{Duration, Instant};

/// How long a desk waits before the same step again while the hall is away.
pub const RETRY: Duration = Duration::from_millis(200);

/// What the hall answered a step that did not simply succeed, by the store's typed errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Seen {
    /// 服务器连接中断: the connection lost, nothing written
    ServerLost,
    /// no server answered the desk's reconnection
    NoServer,
    /// 服务器切换中: servers answer, none takes writes
    NoWritableServer,
    /// given up after the bound (the write lock, a cancelled commit): nothing written
    WriteWait,
    /// saved on the primary, no standby confirmed it within the bound
    StandbyWait,
    /// lost while committing, the outcome not learnt
    CommitUnknown,
}

impl Seen {
    pub fn key(self) -> &'static str {
        match self {
            Seen::ServerLost => "server_lost",
            Seen::NoServer => "no_server",
            Seen::NoWritableServer => "no_writable_server",
            Seen::WriteWait => "write_wait",
            Seen::StandbyWait => "standby_wait",
            Seen::CommitUnknown => "commit_unknown",
        }
    }

    /// Nothing of the step was written: it may simply be done again.
    fn nothing_written(self) -> bool {
        matches!(self, Seen::ServerLost | Seen::NoServer | Seen::NoWritableServer | Seen::WriteWait)
    }
}

/// The store's error inside a desk's error, if any.
fn store_error(e: &DeskError) -> Option<&StoreError> {
    match e {
        DeskError::Store(s) | DeskError::Act(ActError::Store(s)) | DeskError::Auth(AuthError::Store(s)) => Some(s),
        _ => None,
    }
}

/// What the hall's answer was, for the errors a desk carries on through; `None` for the rest.
pub fn seen(e: &DeskError) -> Option<Seen> {
    let s = store_error(e)?;
    Some(if s.is_connection_lost() {
        Seen::ServerLost
    } else if s.is_no_writable_server() {
        Seen::NoWritableServer
    } else if s.is_write_wait() {
        Seen::WriteWait
    } else if s.is_standby_wait() {
        Seen::StandbyWait
    } else if s.is_commit_unknown() {
        Seen::CommitUnknown
    } else if matches!(s, StoreError::Server(p) if matches!(**p, PgError::Connect { .. })) {
        Seen::NoServer
    } else {
        return None;
    })
}

/// How a step was done in the end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum How {
    /// at the first try
    First,
    /// again, after the hall said nothing was written
    Again,
    /// found written when the desk looked, after its commit's answer was lost
    Looked,
    /// saved, and the hall said no standby had confirmed it
    Unconfirmed,
}

impl How {
    pub fn key(self) -> &'static str {
        match self {
            How::First => "first",
            How::Again => "again",
            How::Looked => "looked",
            How::Unconfirmed => "unconfirmed",
        }
    }
}

/// Runs `step` on `ctx`; with `patience`, carries on through what the hall answers while it
/// is away, for that long in all: every answer is told to `said`. After a saved-but-unconfirmed
/// or an unknown outcome, `look` says whether the step is there (its value) before anything is
/// done again; a look is as final as its server: after a failover the old primary, which may
/// have held the lost commit, is gone, and the promoted one either has it or never will.
pub fn carry_on<C, T>(
    ctx: &mut C,
    patience: Option<Duration>,
    said: &mut dyn FnMut(Seen),
    step: impl Fn(&mut C) -> Result<T, DeskError>,
    look: impl Fn(&mut C) -> Result<Option<T>, DeskError>,
) -> Result<(T, How), DeskError> {
    let Some(patience) = patience else { return step(ctx).map(|t| (t, How::First)) };
    let deadline = Instant::now() + patience;
    let mut how = How::First;
    loop {
        let err = match step(ctx) {
            Ok(t) => return Ok((t, how)),
            Err(e) => e,
        };
        let Some(kind) = seen(&err) else { return Err(err) };
        said(kind);
        if Instant::now() >= deadline {
            return Err(err);
        }
        if !kind.nothing_written() {
            loop {
                match look(ctx) {
                    Ok(Some(t)) => return Ok((t, if kind == Seen::StandbyWait { How::Unconfirmed } else { How::Looked })),
                    // said saved, and not there: the store broke its word
                    Ok(None) if kind == Seen::StandbyWait => return Err(err),
                    Ok(None) => break,
                    Err(e) if seen(&e).is_some_and(Seen::nothing_written) && Instant::now() < deadline => std::thread::sleep(RETRY),
                    Err(e) => return Err(e),
                }
            }
        } else {
            std::thread::sleep(RETRY);
        }
        how = How::Again;
    }
}
