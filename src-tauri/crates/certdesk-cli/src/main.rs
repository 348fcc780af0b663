//! The `certdesk` command line: the desktop app's jobs, headless, over the application API
//! (`certdesk-desk`) alone. Owns argument parsing, reading the process environment and
//! secrets (files, a prompt, stdin), human and `--json` output, and exit codes (0 success,
//! 1 refused or invalid, 2 usage). Which store, which account, every rule and every record are
//! the desk's. The subcommands live by noun: `case`, `key`, `user`, `counter`, `report`,
//! `store`, `form`, `seal`, `audit`, `catalog` (with `fee` and `validate`); `context` opens
//! the store and signs in, `secrets` reads passwords and PINs, `output` prints.

mod audit;
mod calendar;
mod case;
mod catalog;
mod context;
mod counter;
mod day;
mod employees;
mod form;
mod idcard;
mod intake;
mod key;
mod output;
mod payments;
mod ra;
mod report;
mod seal;
mod secrets;
mod store;
mod user;

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(name = "certdesk", version, about = "certdesk 证书受理台: CA acceptance counter workstation (headless)")]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Args, Debug, Clone)]
pub struct Global {
    /// The case database: a store file, or a counter hall's server as
    /// postgres://USER@HOST:PORT/DB?sslmode=verify-full&sslrootcert=CA.pem (TLS required unless
    /// the server is this computer; never with a password in it)
    /// (default: CERTDESK_DB, else the app's choice in 管理 → 案件库位置, else the per-user data
    /// folder).
    #[arg(long, global = true, value_name = "PATH|URL")]
    pub db: Option<String>,
    /// The hall server's password, first line of this file (else CERTDESK_DB_PASSWORD_FILE,
    /// the app's saved hall password, PGPASSFILE or ~/.pgpass, else a prompt).
    #[arg(long, global = true, value_name = "FILE")]
    pub db_password_file: Option<PathBuf>,
    /// Machine-readable JSON on stdout.
    #[arg(long, global = true)]
    pub json: bool,
    /// A forms/ folder to use instead of the catalogs built into this binary
    /// (default: CERTDESK_FORMS, else the built-in copy).
    #[arg(long, global = true, value_name = "DIR")]
    pub forms: Option<PathBuf>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Check identifiers: uscc, ric, orgcode, mobile, landline, email, postcode, phone (mobile
    /// or landline).
    Validate {
        #[arg(value_enum)]
        kind: IdentArg,
        #[arg(required = true)]
        values: Vec<String>,
    },
    /// CA projects: what each offers.
    #[command(subcommand)]
    Catalog(CatalogCmd),
    /// Compute the fee of a request from the project's fee table.
    Fee(FeeArgs),
    /// Cases: import, show, list, search, export.
    #[command(subcommand)]
    Case(CaseCmd),
    /// The audit chain.
    #[command(subcommand)]
    Audit(AuditCmd),
    /// The day signed off (日结): a supervisor signs the day's ledger and the chain's head with
    /// their USB key; anyone checks a closed day.
    #[command(subcommand)]
    Day(DayCmd),
    /// The CA's printed forms: list, render to PDF, check the layouts.
    #[command(subcommand)]
    Form(FormCmd),
    /// Seal and signature samples: import a scanned collection sheet.
    #[command(subcommand)]
    Seal(SealCmd),
    /// USB keys (PKCS#11 or SKF): list, initialise, PINs, keys, certificates, seal image; as a
    /// key clerk, each operation on the key desk's log (or its case's chain).
    Key(KeyArgs),
    /// Local accounts and roles (admin, clerk, supervisor, key_clerk).
    #[command(subcommand)]
    User(UserCmd),
    /// The counter's identity: code used in case numbers, name and address on receipts.
    #[command(subcommand)]
    Counter(CounterCmd),
    /// Reports: the daily ledger and certificates about to expire, as text, JSON, CSV or XLSX.
    #[command(subcommand)]
    Report(ReportCmd),
    /// The store itself: verified backup and restore.
    #[command(subcommand)]
    Store(StoreCmd),
    /// The applicant's ID card, read from its chip (a GA/T 467 reader or a vendor's SDT library).
    #[command(subcommand)]
    Idcard(IdcardCmd),
    /// A unit's employee list (员工明细表).
    #[command(subcommand)]
    Employees(EmployeesCmd),
    /// The intake: the form a request asks, as the app shows it.
    #[command(subcommand)]
    Intake(IntakeCmd),
    /// Working days (#73): the State Council's holiday notices and 调休 working days as data
    /// (`forms/_calendar/<year>.toml`).
    #[command(subcommand)]
    Calendar(CalendarCmd),
    /// Money by transfer (#73): the counter account's bank statement imported and matched to
    /// the cases waiting for their money, a match confirmed, the credits listed.
    #[command(subcommand)]
    Payments(PaymentsCmd),
    /// What the counter has on file for a unit (#74): its authorisation letters and the
    /// certificates issued to it here.
    #[command(subcommand)]
    Unit(UnitCmd),
    /// A project's registration authority for online enrolment (SCEP, RFC 8894): its address,
    /// the CA certificate it must present and its challenge password; set by an administrator.
    #[command(subcommand)]
    Ra(RaCmd),
}

#[derive(Subcommand, Debug)]
pub enum CalendarCmd {
    /// The day N working days after a day (the day itself not counted): a promise's due date.
    Workdays {
        /// YYYY-MM-DD
        #[arg(long, value_parser = certdesk_desk::dates::parse_day_arg)]
        from: chrono::NaiveDate,
        #[arg(long)]
        days: u32,
    },
    /// The notices known: each year with its source and days off.
    Notices,
    /// The due list of a day (default today): the cases due that day and late against their
    /// project's promise, and those waiting on the applicant (materials 后补, money not in).
    Due {
        /// YYYY-MM-DD
        #[arg(long, value_parser = certdesk_desk::dates::parse_day_arg)]
        day: Option<chrono::NaiveDate>,
        #[command(flatten)]
        by: ActAs,
    },
}

#[derive(Subcommand, Debug)]
pub enum UnitCmd {
    /// The unit's papers and certificates on file, from its cases at this counter (by its
    /// 统一社会信用代码): `--json` gives `{uscc, name, cases, authorizations: [{holder, until,
    /// valid, …}], licence_valid_until, certificates: [{serial, holder, not_after, key_serial, case}]}`.
    Show {
        uscc: String,
        #[command(flatten)]
        by: ActAs,
    },
}

#[derive(Subcommand, Debug)]
pub enum PaymentsCmd {
    /// Imports a statement (XLSX, XLS or CSV as the bank exports it; GBK or UTF-8) as an
    /// administrator: its credits matched to the waiting cases and recorded (a statement
    /// imported again adds nothing).
    Import {
        file: PathBuf,
        #[command(flatten)]
        by: ActAs,
    },
    /// Confirms a credit as the money of one case, or of several cases of one unit, as a clerk.
    Confirm {
        credit: String,
        #[arg(required = true, value_name = "CASE")]
        cases: Vec<String>,
        #[command(flatten)]
        by: ActAs,
    },
    /// The credits recorded, newest first (--unmatched: those that matched no case; --open:
    /// those not yet confirmed nor refused).
    List {
        #[arg(long, conflicts_with = "open")]
        unmatched: bool,
        #[arg(long)]
        open: bool,
        #[command(flatten)]
        by: ActAs,
    },
}

#[derive(Subcommand, Debug)]
pub enum RaCmd {
    /// The project's RA (the challenge only as set or not).
    Show {
        #[arg(long)]
        project: String,
        #[command(flatten)]
        by: ActAs,
    },
    /// Sets the project's RA; the challenge password is read from --challenge-file, else a
    /// prompt or one line of stdin (never the command line).
    Set {
        #[arg(long)]
        project: String,
        /// http://host:port/path (SCEP messages are signed and encrypted themselves).
        #[arg(long)]
        url: String,
        /// The CA certificate the RA must present (PEM or DER): the RA is pinned to it.
        #[arg(long = "ca-cert", value_name = "FILE")]
        ca_cert: PathBuf,
        #[arg(long = "challenge-file", value_name = "FILE")]
        challenge_file: Option<PathBuf>,
        #[command(flatten)]
        by: AdminAs,
    },
    /// Asks the RA for its certificates and checks the pinned CA certificate is among them.
    Try {
        #[arg(long)]
        project: String,
        #[command(flatten)]
        by: ActAs,
    },
    /// Back to offline issuance for the project.
    Clear {
        #[arg(long)]
        project: String,
        #[command(flatten)]
        by: AdminAs,
    },
}

#[derive(Subcommand, Debug)]
pub enum IntakeCmd {
    /// The fields the intake asks for a request (sections, labels, kinds, choices, what is
    /// required and why), the project's counter rules that apply and what makes an annex row
    /// a person: the model the app's 受理 renders.
    Form {
        #[arg(long)]
        project: String,
        /// new, renew, change, replace, unlock, revoke, suspend, key_recovery, annual_check
        #[arg(long)]
        business: String,
        /// organization, employee, personal
        #[arg(long = "cert-kind")]
        cert_kind: String,
        /// usb_key, mobile_key (default: the project's first medium)
        #[arg(long)]
        medium: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum EmployeesCmd {
    /// Read an XLSX, XLS or CSV list into the case JSON's `employees` array: columns found by
    /// their Chinese headers, every row checked (ID numbers, duplicates); on any problem every
    /// one of them by row and column, and exit 1.
    Read {
        file: PathBuf,
        /// The business type of rows that give none (default: the list needs a 业务类型 column).
        #[arg(long, value_name = "new|renew|…")]
        business: Option<String>,
        /// The years of validity of rows that give none.
        #[arg(long, value_name = "N")]
        years: Option<u32>,
    },
}

#[derive(Subcommand, Debug)]
pub enum IdcardCmd {
    /// Read the card lying on the reader: its fields, checked, and whether it is valid today.
    /// No card: exit 1.
    Read {
        /// The reader's serial device (GA/T 467, 115200 8N1): /dev/ttyUSB0, COM3.
        #[arg(long, value_name = "DEVICE", required_unless_present = "library", conflicts_with = "library")]
        port: Option<String>,
        /// The reader's vendor library (SDT_* functions): libsdtapi.so, sdtapi.dll.
        #[arg(long, value_name = "FILE")]
        library: Option<std::path::PathBuf>,
        /// With --library: the reader's USB port, 1–16 (every port tried when left out).
        #[arg(long = "usb-port", value_name = "N", requires = "library")]
        usb_port: Option<String>,
    },
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    Xlsx,
}

#[derive(Subcommand, Debug)]
pub enum ReportCmd {
    /// The day's ledger: cases by business type and project, fees by payment method, per
    /// clerk, keys issued and handed over.
    Daily {
        /// The local day, YYYY-MM-DD (default: today).
        #[arg(long, value_parser = certdesk_desk::dates::parse_day_arg)]
        date: Option<chrono::NaiveDate>,
        /// Write the report to this file instead of printing it.
        #[arg(long, requires = "format")]
        out: Option<PathBuf>,
        #[arg(long, value_enum)]
        format: Option<ExportFormat>,
        /// Print the ledger (受理日报) into this PDF: with the 日结's QR code once the day is
        /// closed, 未日结 before.
        #[arg(long, value_name = "FILE")]
        pdf: Option<PathBuf>,
        #[command(flatten)]
        by: ActAs,
    },
    /// The invoice requests of the cases done on a day (#73: title, 税号, the 专票 fields, amount,
    /// the handler's mobile and e-mail), each case once, into FILE.xlsx or FILE.csv in the
    /// columns of the finance office's 开票 tool (`forms/_counter/invoice-export.toml`).
    Invoices {
        /// The local day, YYYY-MM-DD (default: today).
        #[arg(long, value_parser = certdesk_desk::dates::parse_day_arg)]
        day: Option<chrono::NaiveDate>,
        #[arg(long, value_name = "FILE.xlsx|FILE.csv")]
        out: Option<PathBuf>,
        #[command(flatten)]
        by: ActAs,
    },
    /// Certificates written to keys that expire within DAYS, with the handler's phone.
    Expiring {
        #[arg(long, default_value_t = 30)]
        days: i64,
        #[arg(long, requires = "format")]
        out: Option<PathBuf>,
        #[arg(long, value_enum)]
        format: Option<ExportFormat>,
        #[command(flatten)]
        by: ActAs,
    },
}

#[derive(Subcommand, Debug)]
pub enum StoreCmd {
    /// Which server of the hall takes writes, whether this desk can write, each server's
    /// answer and the standbys' replication lag (a store file: its path). Works while no
    /// server takes writes. Exit 0 when a desk can write now, 3 when it cannot (服务器切换中,
    /// or a file that cannot be written); the status is printed either way.
    Status,
    /// A consistent copy of the store, checked (integrity and audit chain) after writing (an
    /// administrator: --as ADMIN --password-file F).
    Backup {
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        by: ActAs,
    },
    /// Replace the store by a checked backup; the current store is kept beside it (an
    /// administrator: --as ADMIN --password-file F). An encrypted backup comes with its key
    /// file X.db.keys, which the restored store gets; one made under another key (before a
    /// store rekey) opens with the recovery key or ADMIN's password of its time. A plain backup
    /// restored into an encrypted store is encrypted on the way in.
    Restore {
        file: PathBuf,
        #[command(flatten)]
        by: ActAs,
        /// The backup's own recovery key (a file whose first line is RK1-…): a backup made
        /// before a store rekey.
        #[arg(long = "recovery-file", value_name = "FILE", conflicts_with = "backup_password_file")]
        recovery_file: Option<PathBuf>,
        /// A file whose first line is ADMIN's password at the backup's time (its slot in
        /// X.db.keys): a backup made before a store rekey.
        #[arg(long = "backup-password-file", value_name = "FILE")]
        backup_password_file: Option<PathBuf>,
    },
    /// Move a counter's store file into an empty hall: everything copied verbatim, the chain
    /// verified there (an administrator of the file: --as ADMIN --password-file F; the
    /// server's password from --db-password-file, PGPASSFILE or a prompt).
    Migrate {
        /// The store file (only read).
        #[arg(long, value_name = "FILE.db")]
        from: PathBuf,
        /// The hall: postgres://USER@HOST:PORT/DB?sslmode=verify-full&sslrootcert=CA.pem (TLS
        /// required unless the server is this computer)
        #[arg(long, value_name = "URL")]
        to: String,
        #[command(flatten)]
        by: ActAs,
    },
    /// Turn a plain store file into an encrypted one (#30): the file, its WAL and its backups
    /// unreadable without a key; every account's password opens it through its slot. The
    /// recovery key is printed once: write it down. The administrator's password becomes its
    /// slot; the other accounts need a new password from an administrator (user passwd).
    Encrypt {
        #[command(flatten)]
        by: ActAs,
    },
    /// Give an encrypted store a new data key and a new recovery key, printed once (a password
    /// known to be compromised, or a lost paper): the old recovery key then opens only the
    /// backups made before. The administrator's password is the one slot kept; the other
    /// accounts need a new password from an administrator (user passwd). The store alone: close
    /// the app first.
    Rekey {
        #[command(flatten)]
        by: ActAs,
    },
    /// Open an encrypted store with its recovery key and give an administrator a new password
    /// (every password lost, or the key file lost or damaged).
    OpenWithRecovery {
        /// A file whose first line is the recovery key (RK1-…).
        #[arg(long = "recovery-file", value_name = "FILE")]
        recovery_file: PathBuf,
        /// A file whose first line is the administrator's new password (else a prompt).
        #[arg(long = "new-password-file", value_name = "FILE")]
        new_password_file: Option<PathBuf>,
        /// The administrator.
        #[arg(long = "as", value_name = "ADMIN")]
        actor: String,
    },
    /// Remove the personal data of the cases past their retention (an administrator: --as
    /// ADMIN --password-file F): names, ID numbers, phones, addresses, e-mails, files, from the
    /// cases, the search and the events' personal parts; held cases are kept (#30). Today is
    /// the counter's local day.
    Purge {
        /// List what is due and held; change nothing.
        #[arg(long = "dry-run")]
        dry_run: bool,
        #[command(flatten)]
        by: ActAs,
    },
    /// On a hall, as the role that owns its tables (`--db postgres://OWNER@…`): migrate, then
    /// give the desks' own login role what a desk needs and no more (read everything, change
    /// the working tables, only add to the audit chain and the files; no DDL, no TRUNCATE).
    /// The desks then connect as that role. Run it again after an upgrade.
    GrantDesks {
        /// The desks' login role (created beforehand by the server's administrator).
        #[arg(long, value_name = "ROLE")]
        role: String,
        /// An administrator account of the hall (recorded on its chain).
        #[command(flatten)]
        by: ActAs,
    },
}

/// Who acts: every command that reads or changes the store signs in first.
#[derive(Args, Debug, Clone, Default)]
pub struct ActAs {
    /// The acting account (default: CERTDESK_USER).
    #[arg(long = "as", value_name = "USER")]
    pub actor: Option<String>,
    /// File whose first line is the acting account's password (default: CERTDESK_PASSWORD_FILE
    /// with CERTDESK_USER; else a prompt, or stdin).
    #[arg(long = "password-file", value_name = "FILE")]
    pub password_file: Option<PathBuf>,
    #[command(flatten)]
    pub key: StaffKeyArgs,
}

#[derive(Args, Debug, Clone, Default)]
pub struct AdminAs {
    /// The administrator acting (default: CERTDESK_USER).
    #[arg(long = "as", value_name = "ADMIN")]
    pub actor: Option<String>,
    /// File whose first line is that administrator's password (`--password-file`, as on every
    /// command; `--as-password-file`, its earlier spelling, still works).
    #[arg(long = "password-file", alias = "as-password-file", value_name = "FILE")]
    pub as_password_file: Option<PathBuf>,
    #[command(flatten)]
    pub key: StaffKeyArgs,
}

/// The administrator acting on a command whose own `--password-file` is another account's new
/// password (`user add`, `user passwd`): the administrator's is `--as-password-file` there.
#[derive(Args, Debug, Clone, Default)]
pub struct AdminBeside {
    /// The administrator acting (or, for `user passwd`, the account itself; default:
    /// CERTDESK_USER).
    #[arg(long = "as", value_name = "ADMIN")]
    pub actor: Option<String>,
    /// File whose first line is that administrator's (or the account's current) password.
    #[arg(long = "as-password-file", value_name = "FILE")]
    pub as_password_file: Option<PathBuf>,
    #[command(flatten)]
    pub key: StaffKeyArgs,
}

impl AdminBeside {
    pub fn admin(&self) -> AdminAs {
        AdminAs { actor: self.actor.clone(), as_password_file: self.as_password_file.clone(), key: self.key.clone() }
    }
}

/// The acting account's own USB key (#31), for an account that must sign in with it (an
/// enrolled supervisor, key clerk or administrator): its token, its PIN, its library.
#[derive(Args, Debug, Clone, Default)]
pub struct StaffKeyArgs {
    /// The acting account's USB key by label (default: the plugged key holding its enrolled
    /// certificate).
    #[arg(long = "token", value_name = "LABEL")]
    pub token: Option<String>,
    /// File whose first line is that key's PIN (else a prompt, or stdin).
    #[arg(long = "pin-file", value_name = "FILE")]
    pub pin_file: Option<PathBuf>,
    /// The key's library (default: the pkcs11_module setting, CERTDESK_PKCS11_MODULE, the
    /// vendor list).
    #[arg(long = "module", value_name = "PATH")]
    pub module: Option<PathBuf>,
}

impl StaffKeyArgs {
    pub fn given(&self) -> bool {
        self.token.is_some() || self.pin_file.is_some()
    }
}

/// Who acts at the key desk: `--token`, `--pin-file` and `--module` there are the applicant's
/// key's, so the acting account's own key goes by `--staff-token`, `--staff-pin-file`,
/// `--staff-module`.
#[derive(Args, Debug, Clone, Default)]
pub struct KeyActAs {
    /// The acting account (default: CERTDESK_USER).
    #[arg(long = "as", value_name = "USER")]
    pub actor: Option<String>,
    /// File whose first line is the acting account's password.
    #[arg(long = "password-file", value_name = "FILE")]
    pub password_file: Option<PathBuf>,
    /// The acting account's own USB key by label (an enrolled key clerk).
    #[arg(long = "staff-token", value_name = "LABEL")]
    pub staff_token: Option<String>,
    /// File whose first line is the acting account's key's PIN.
    #[arg(long = "staff-pin-file", value_name = "FILE")]
    pub staff_pin_file: Option<PathBuf>,
    /// The acting account's key's library.
    #[arg(long = "staff-module", value_name = "PATH")]
    pub staff_module: Option<PathBuf>,
}

impl From<&KeyActAs> for ActAs {
    fn from(k: &KeyActAs) -> ActAs {
        ActAs {
            actor: k.actor.clone(),
            password_file: k.password_file.clone(),
            key: StaffKeyArgs { token: k.staff_token.clone(), pin_file: k.staff_pin_file.clone(), module: k.staff_module.clone() },
        }
    }
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
#[value(rename_all = "snake_case")]
pub enum RoleArg {
    Admin,
    Clerk,
    Supervisor,
    KeyClerk,
}

#[derive(Subcommand, Debug)]
pub enum UserCmd {
    /// Add an account (the first one of a new store must be an admin).
    Add {
        name: String,
        #[arg(long = "role", value_enum, required = true)]
        roles: Vec<RoleArg>,
        /// File whose first line is the new account's password (else a prompt, or stdin;
        /// `--password-file`, its earlier spelling, still works).
        #[arg(long = "new-password-file", alias = "password-file", value_name = "FILE")]
        password_file: Option<PathBuf>,
        /// The person's 姓名, shown instead of the login on screens and reports.
        #[arg(long = "display-name", value_name = "NAME")]
        display_name: Option<String>,
        #[command(flatten)]
        by: AdminBeside,
    },
    /// List the accounts (an administrator).
    List {
        #[command(flatten)]
        by: ActAs,
    },
    /// Set a new password (and clear a lock).
    Passwd {
        name: String,
        /// File whose first line is the new password (`--password-file`, its earlier spelling,
        /// still works).
        #[arg(long = "new-password-file", alias = "password-file", value_name = "FILE")]
        password_file: Option<PathBuf>,
        #[command(flatten)]
        by: AdminBeside,
    },
    /// Disable an account for good; its history stays.
    Disable {
        name: String,
        #[command(flatten)]
        by: AdminAs,
    },
    /// Clear the lock after five wrong passwords.
    Unlock {
        name: String,
        #[command(flatten)]
        by: AdminAs,
    },
    /// Bind an operator certificate to an account (#31): its key then signs the account in and
    /// its approvals. The certificate must chain to the operator CA given (--chain).
    EnrolKey {
        name: String,
        /// The operator certificate (PEM, DER or PKCS#7).
        #[arg(long = "cert", value_name = "FILE")]
        cert: PathBuf,
        /// The operator CA's certificates (PEM or DER) it must chain to.
        #[arg(long = "chain", value_name = "CA.pem")]
        chain: PathBuf,
        /// The administrator's password file (the same as --password-file).
        #[arg(long = "as-password-file", value_name = "FILE", conflicts_with = "password_file")]
        as_password_file: Option<PathBuf>,
        #[command(flatten)]
        by: ActAs,
    },
    /// End an account's USB key enrolment (a lost or compromised key), with a reason.
    RevokeKey {
        name: String,
        #[arg(long)]
        reason: String,
        #[command(flatten)]
        by: AdminAs,
    },
    /// An account's USB key enrolments, current and past.
    Keys {
        name: Option<String>,
        #[command(flatten)]
        by: ActAs,
    },
    /// Set an account's display name (姓名), printed on receipts and forms and shown in the app
    /// instead of the login: an administrator for anyone, an account for itself.
    Name {
        name: String,
        /// The name as printed, e.g. 王芳.
        display_name: String,
        #[command(flatten)]
        by: ActAs,
    },
}

#[derive(Subcommand, Debug)]
// parsed once per process: the size of `Set`'s options does not matter
#[allow(clippy::large_enum_variant)]
pub enum CounterCmd {
    Show {
        #[command(flatten)]
        by: ActAs,
    },
    Set {
        /// 1-12 capital letters and digits, e.g. GZ01: the first part of case numbers.
        #[arg(long)]
        code: Option<String>,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        address: Option<String>,
        /// The counter's ID card reader on a serial line (GA/T 467): /dev/ttyUSB0, COM3; "" unsets.
        #[arg(long = "idcard-port", value_name = "DEVICE")]
        idcard_port: Option<String>,
        /// Or the reader's vendor library (SDT_*); "" unsets.
        #[arg(long = "idcard-library", value_name = "FILE")]
        idcard_library: Option<String>,
        /// With the library: its USB port, 1–16 (every port tried when unset).
        #[arg(long = "idcard-usb-port", value_name = "N")]
        idcard_usb_port: Option<String>,
        /// The project a new intake starts with when the account has no case yet ("" unsets).
        #[arg(long = "default-project", value_name = "ID")]
        default_project: Option<String>,
        /// The days a password is used before it must be changed, 1–365 (default 90; "" unsets).
        #[arg(long = "password-max-age-days", value_name = "DAYS")]
        password_max_age_days: Option<String>,
        /// The minutes an app window stays unlocked without use, 1–480 (default 10; "" unsets).
        #[arg(long = "idle-minutes", value_name = "MINUTES")]
        idle_minutes: Option<String>,
        /// The years a case's personal data is kept after its last certificate expires (or it
        /// was closed or cancelled), 5–50 (default 5: 电子签名法 Art. 24; "" unsets).
        #[arg(long = "retention-years", value_name = "YEARS")]
        retention_years: Option<String>,
        /// The roles that must sign in and approve with their own USB key once one is enrolled,
        /// comma-separated (default supervisor,key_clerk,admin; "" for none).
        #[arg(long = "key-sign-in-roles", value_name = "ROLES")]
        key_sign_in_roles: Option<String>,
        /// The counter's own closed days besides the public holidays (#73), YYYY-MM-DD separated
        /// by spaces or commas: not working days for the due list ("" for none).
        #[arg(long, value_name = "DAYS")]
        closures: Option<String>,
        #[command(flatten)]
        by: AdminAs,
    },
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdentArg {
    Uscc,
    Ric,
    Orgcode,
    Mobile,
    Landline,
    Email,
    Postcode,
    Phone,
}

#[derive(Subcommand, Debug)]
pub enum CatalogCmd {
    /// List the CA projects.
    List,
    /// Everything about one project: fees, materials, forms.
    Show { project: String },
}

#[derive(Args, Debug)]
pub struct FeeArgs {
    #[arg(long)]
    pub project: String,
    /// new, renew, change, replace, unlock, revoke, suspend, key_recovery, annual_check
    #[arg(long)]
    pub business: String,
    /// organization, employee, personal
    #[arg(long = "cert-kind")]
    pub cert_kind: String,
    /// usb_key, mobile_key
    #[arg(long)]
    pub medium: String,
    #[arg(long)]
    pub years: Option<u32>,
    #[arg(long, default_value_t = 1)]
    pub quantity: u32,
}

/// The key an applicant brings (`case triage`, `case prove-unit`): by label or serial (the one
/// key plugged in without either), and its library.
#[derive(Args, Debug)]
pub struct BroughtKey {
    #[arg(long = "token", value_name = "LABEL")]
    pub label: Option<String>,
    #[arg(long, value_name = "SERIAL", conflicts_with = "label")]
    pub serial: Option<String>,
    /// The key library (as `certdesk key --module`).
    #[arg(long, value_name = "PATH")]
    pub module: Option<PathBuf>,
}

#[derive(Subcommand, Debug)]
pub enum CaseCmd {
    /// What a returning unit is offered by the key it brings (#74): its certificate read
    /// without a PIN, the project's guide deciding the business type, route and checklist
    /// (`--json`: `{business_type, route, reason, materials, differences, …}`); with
    /// --case-json the typed data compared with the certificate, each difference listed.
    Triage {
        #[arg(long)]
        project: String,
        #[command(flatten)]
        key: BroughtKey,
        /// The case as typed so far (case JSON).
        #[arg(long = "case-json", value_name = "FILE")]
        case_json: Option<PathBuf>,
        #[command(flatten)]
        by: KeyActAs,
    },
    /// Prove a case's unit with its own organisation certificate (#74, seed 001: 可凭单位法人
    /// 数字证书…免去出示…原件): the unit's key signs the desk's challenge (the PIN from
    /// --pin-file or a prompt, never kept), the certificate must name the case's unit, be valid
    /// and chain to the project's CA (forms/<project>/ca/); the proof is recorded on the case
    /// and the checklist's items the guide spares no longer ask for the original
    /// (`--json`: `{number, unit_proof:{serial, subject, uscc, issuer, not_after, algorithm,
    /// anchor, proved_at}, spared:[item ids]}`).
    ProveUnit {
        number: String,
        #[command(flatten)]
        key: BroughtKey,
        /// File whose first line is the unit key's PIN (default: a prompt).
        #[arg(long = "pin-file", value_name = "FILE")]
        pin_file: Option<PathBuf>,
        #[command(flatten)]
        by: KeyActAs,
    },
    /// Import a case JSON file as a new draft case; prints its number.
    Import {
        file: PathBuf,
        #[command(flatten)]
        by: ActAs,
    },
    /// Replace a case's data with a case JSON file (an approved case goes back to review).
    Edit {
        number: String,
        file: PathBuf,
        #[command(flatten)]
        by: ActAs,
    },
    /// The case's materials checklist as the clerk records it, as the app's 全部收齐 and its
    /// checklist lines: `--all-received`, or one line `--item ID --copies K [--original]
    /// [--to-follow TEXT]` (the applicant's promise for a required item not handed in).
    Materials {
        number: String,
        #[arg(long, conflicts_with_all = ["item", "copies", "original", "to_follow"], required_unless_present = "item")]
        all_received: bool,
        /// The checklist item's id (`catalog show`, `case show --json`'s checklist).
        #[arg(long, requires = "copies")]
        item: Option<String>,
        #[arg(long, requires = "item")]
        copies: Option<u32>,
        /// The original was seen (or, for the old key and items of no copies, the item received).
        #[arg(long, requires = "item")]
        original: bool,
        #[arg(long = "to-follow", requires = "item")]
        to_follow: Option<String>,
        #[command(flatten)]
        by: ActAs,
    },
    /// 受理: the clerk has checked the documents.
    Accept(Transition),
    /// 提交复核: send to the supervisor.
    Submit(Transition),
    /// 复核通过 (never by whoever accepted or last edited the case).
    Approve(Transition),
    /// 退回 with a reason.
    Return(Transition),
    /// 作废 with a reason.
    Cancel(Transition),
    /// 交付: the key was handed to the applicant.
    Deliver(Transition),
    /// 归档.
    Close(Transition),
    /// Import the scanned seal collection sheet onto a case (a clerk, while the case is
    /// editable; an approved case goes back to review), exactly as the app does.
    Seal {
        number: String,
        scan: PathBuf,
        /// Scan resolution when the file does not say it.
        #[arg(long)]
        dpi: Option<f32>,
        #[command(flatten)]
        by: ActAs,
    },
    /// Allow a second key for a certificate that was written (a supervisor, --reason; --cert K
    /// when several certificates of the case are written).
    Reissue {
        #[command(flatten)]
        t: Transition,
        /// The certificate (1-based) whose key is lost or broken.
        #[arg(long, value_name = "K")]
        cert: Option<u32>,
    },
    /// Withdraw certificate K of a case before its key is made (an employee left): a
    /// supervisor, with --reason; the case is issued without it.
    WithdrawCert {
        number: String,
        /// The certificate (1-based: the employee's row of the annex).
        cert: u32,
        #[arg(long)]
        reason: Option<String>,
        #[command(flatten)]
        by: ActAs,
    },
    /// Put a case on legal hold (a supervisor, --reason): it is not purged while held (#30).
    Hold {
        number: String,
        #[arg(long)]
        reason: Option<String>,
        #[command(flatten)]
        by: ActAs,
    },
    /// Release a case's legal hold (a supervisor).
    ReleaseHold {
        number: String,
        #[command(flatten)]
        by: ActAs,
    },
    /// Show one case.
    Show {
        number: String,
        #[command(flatten)]
        by: ActAs,
    },
    /// The case's steps to 归档 (done or not, who does each) and the next one.
    Steps {
        number: String,
        #[command(flatten)]
        by: ActAs,
    },
    /// Do the case's next step when it is not a key-desk operation: accept, submit, approve, a
    /// confirmation done in the CA's system (--reference), the hand-over (--courier and
    /// --waybill for a case sent by post; --recipient and --recipient-id when someone other than
    /// the handler collects it), close. Key-desk steps are `certdesk key … --case NUMBER`.
    Complete {
        number: String,
        step: String,
        /// The reference of what was done elsewhere (the CA's business or revocation number).
        #[arg(long)]
        reference: Option<String>,
        #[arg(long)]
        courier: Option<String>,
        #[arg(long)]
        waybill: Option<String>,
        /// Who collected the key, when not the case's handler.
        #[arg(long)]
        recipient: Option<String>,
        #[arg(long = "recipient-id", value_name = "ID")]
        recipient_id: Option<String>,
        /// approve: accept the materials to follow (材料后补).
        #[arg(long = "accept-to-follow")]
        accept_to_follow: bool,
        #[command(flatten)]
        by: ActAs,
    },
    /// List cases, newest first.
    List {
        #[arg(long)]
        status: Option<String>,
        #[arg(long)]
        project: Option<String>,
        /// Cases taken on or after this day (YYYY-MM-DD, the counter's local day).
        #[arg(long, value_name = "DAY", value_parser = certdesk_desk::dates::parse_day_arg)]
        from: Option<chrono::NaiveDate>,
        /// Cases taken on or before this day (YYYY-MM-DD, the counter's local day).
        #[arg(long, value_name = "DAY", value_parser = certdesk_desk::dates::parse_day_arg)]
        to: Option<chrono::NaiveDate>,
        #[arg(long)]
        limit: Option<usize>,
        #[command(flatten)]
        by: ActAs,
    },
    /// Search by any fragment of names, identifiers, mobile numbers.
    Search {
        #[arg(required = true, num_args = 1..)]
        text: Vec<String>,
        #[arg(long, default_value_t = certdesk_desk::limits::SEARCH_HITS)]
        limit: usize,
        #[command(flatten)]
        by: ActAs,
    },
    /// Print the case JSON.
    Export {
        number: String,
        #[arg(long)]
        out: Option<PathBuf>,
        #[command(flatten)]
        by: ActAs,
    },
}

#[derive(Subcommand, Debug)]
pub enum SealCmd {
    /// Find the sample boxes of a scanned sheet, cut out and judge every impression, pick the
    /// best per row and write the images (true size) into DIR.
    Import {
        scan: PathBuf,
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Scan resolution when the file does not say it.
        #[arg(long)]
        dpi: Option<f32>,
        /// A photo or scan of one impression instead of a sheet.
        #[arg(long)]
        single: bool,
    },
    /// Accept an impression of a case's seal sheet that the importer doubted (a clerk, while
    /// the case is editable; an approved case goes back to review): it becomes its row's seal,
    /// and the labels and reasons it overrode go on the case's audit chain with the note.
    Accept {
        number: String,
        /// The sample's row and column on the sheet (0-based, as `case seal --json` names them).
        #[arg(long)]
        row: usize,
        #[arg(long)]
        col: usize,
        /// Why the clerk accepts it (kept with the event).
        #[arg(long)]
        note: Option<String>,
        #[command(flatten)]
        by: ActAs,
    },
}

#[derive(Args, Debug)]
pub struct KeyArgs {
    /// The key library: a PKCS#11 module or an SKF library, told apart by its exports
    /// (default: the store's setting, 管理 → USB Key驱动, else CERTDESK_PKCS11_MODULE, else the
    /// first installed library of the vendor list).
    #[arg(long, global = true, value_name = "PATH")]
    pub module: Option<PathBuf>,
    #[command(subcommand)]
    pub cmd: KeyCmd,
}

/// Which token: by label or by serial, never by slot id.
#[derive(Args, Debug, Clone)]
#[group(required = true, multiple = false)]
pub struct TokenArg {
    #[arg(long = "token", value_name = "LABEL")]
    pub label: Option<String>,
    #[arg(long, value_name = "SERIAL")]
    pub serial: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum KeyCmd {
    /// PC/SC readers with their keys, and the PKCS#11 slots and tokens.
    List {
        #[command(flatten)]
        by: KeyActAs,
    },
    /// Watch readers: print each key inserted or removed (JSON lines with --json).
    Watch {
        /// Stop after this many seconds (default: run until interrupted).
        #[arg(long)]
        seconds: Option<u64>,
        #[command(flatten)]
        by: KeyActAs,
    },
    /// One token's state: label, serial, model, PIN flags.
    Info {
        #[command(flatten)]
        token: TokenArg,
        #[command(flatten)]
        by: KeyActAs,
    },
    /// Initialise the token in a slot: SO PIN, label, user PIN.
    Init {
        #[arg(long = "slot-index")]
        slot_index: usize,
        /// The key's label; with --case it may be left out: <case number>-<K>.
        #[arg(long, required_unless_present = "case")]
        label: Option<String>,
        #[arg(long = "so-pin-file", value_name = "FILE")]
        so_pin_file: Option<PathBuf>,
        #[arg(long = "user-pin-file", value_name = "FILE")]
        user_pin_file: Option<PathBuf>,
        /// Record the step (and the key's serial) on this case; without it, on the key desk's
        /// log (a key clerk, --as).
        #[arg(long = "case", value_name = "NUMBER")]
        case: Option<String>,
        /// With --case: the certificate (1-based); default the case's next one waiting for
        /// this step (the plugged key's first).
        #[arg(long = "cert", value_name = "K", requires = "case", conflicts_with = "employee")]
        cert: Option<u32>,
        /// With --case, an employee case: the employee's row of the annex (the same as --cert).
        #[arg(long, value_name = "K", requires = "case")]
        employee: Option<u32>,
        #[command(flatten)]
        by: KeyActAs,
    },
    /// Generate a key pair on the token and write its certificate request.
    Gen {
        #[command(flatten)]
        token: TokenArg,
        #[arg(long = "pin-file", value_name = "FILE")]
        pin_file: Option<PathBuf>,
        #[arg(long, value_name = "rsa2048|ec-p256|sm2")]
        algo: String,
        /// The subject's common name …
        #[arg(long, conflicts_with = "case", required_unless_present = "case")]
        cn: Option<String>,
        /// … or the subject from a case (and the step recorded on it).
        #[arg(long = "case", value_name = "NUMBER")]
        case: Option<String>,
        /// With --case: the certificate (1-based); default the case's next one waiting for a
        /// key pair (the plugged key's first).
        #[arg(long = "cert", value_name = "K", requires = "case", conflicts_with = "employee")]
        cert: Option<u32>,
        /// With --case and an employee certificate: which employee of the annex (1-based).
        #[arg(long)]
        employee: Option<u32>,
        #[arg(long = "csr-out", value_name = "FILE")]
        csr_out: PathBuf,
        /// With --case: the request package for the CA (CSR + case data); default <csr-out>.request.json.
        #[arg(long = "package-out", value_name = "FILE")]
        package_out: Option<PathBuf>,
        /// With --case: the key clerk.
        #[command(flatten)]
        by: KeyActAs,
    },
    /// Online enrolment (#72): a key pair on the plugged key, the request signed on it with
    /// the project's RA challenge, sent to the RA (SCEP) and the certificate it issues checked
    /// and kept with the case, ready for write-cert, with the key still plugged. The request
    /// package is written as `gen` writes it (the RA failing, it can go to the CA offline).
    Enrol {
        #[command(flatten)]
        token: TokenArg,
        #[arg(long = "pin-file", value_name = "FILE")]
        pin_file: Option<PathBuf>,
        /// Default: the project's first algorithm.
        #[arg(long, value_name = "rsa2048|ec-p256")]
        algo: Option<String>,
        #[arg(long = "case", value_name = "NUMBER")]
        case: String,
        /// The certificate (1-based); default the case's next one waiting for a key pair.
        #[arg(long = "cert", value_name = "K", conflicts_with = "employee")]
        cert: Option<u32>,
        #[arg(long)]
        employee: Option<u32>,
        /// The request (PEM); default the key desk's requests folder, named as the app names it.
        #[arg(long = "csr-out", value_name = "FILE")]
        csr_out: Option<PathBuf>,
        #[command(flatten)]
        by: KeyActAs,
    },
    /// Write the issued certificate (PEM, DER or PKCS#7) and its chain to the token.
    WriteCert {
        #[command(flatten)]
        token: TokenArg,
        #[arg(long = "pin-file", value_name = "FILE")]
        pin_file: Option<PathBuf>,
        /// The issued certificate's file (PEM, DER or PKCS#7); with --case also K, the
        /// certificate of the case (1-based) whose imported certificate to write (give both:
        /// --cert 2 --cert FILE). A number is a file only when such a file exists.
        #[arg(long = "cert", value_name = "FILE|K", required_unless_present = "case")]
        cert: Vec<String>,
        #[arg(long)]
        chain: Option<PathBuf>,
        /// Record the step on this case (default: the case whose request had this public key).
        #[arg(long = "case", value_name = "NUMBER")]
        case: Option<String>,
        /// With --case, an employee case: the employee's row of the annex (the same as --cert K).
        #[arg(long, value_name = "K", requires = "case")]
        employee: Option<u32>,
        /// The key clerk, needed when the certificate belongs to a case (given or matched by its
        /// public key): the certificate is checked against the case's key and the approval
        /// before it is written, and the case moves to key_issued (制证).
        #[command(flatten)]
        by: KeyActAs,
    },
    /// Dual certificates: import the encryption key pair the CA's KMC enveloped to the signing
    /// key (GM/T 0009 SM2EnvelopedKey, SKF ENVELOPEDKEYBLOB or GM/T 0092 CSRResponse, as DER,
    /// blob, Base64 or PEM; the kind is detected) and write the encryption certificate. The
    /// signing certificate must be on the key (write-cert first). SKF libraries only.
    ImportEnc {
        #[command(flatten)]
        token: TokenArg,
        #[arg(long = "pin-file", value_name = "FILE")]
        pin_file: Option<PathBuf>,
        /// The CA's answer with the enveloped encryption key pair.
        #[arg(long, value_name = "FILE")]
        envelope: PathBuf,
        /// The encryption certificate (PEM, DER or PKCS#7); may be left out when the answer is a
        /// GM/T 0092 CSRResponse that carries it.
        #[arg(long = "enc-cert", value_name = "FILE")]
        enc_cert: Option<PathBuf>,
        /// Without --case: the key (container) to import into, when several could take it.
        #[arg(long = "key", value_name = "ID", conflicts_with = "case")]
        key: Option<String>,
        /// Record the step on this case (with --as, a key clerk): the answer is checked against
        /// the case's key, its subject and the project's CA certificates first.
        #[arg(long = "case", value_name = "NUMBER")]
        case: Option<String>,
        /// With --case: the certificate (1-based); default the case's next one waiting for
        /// this step (the plugged key's first).
        #[arg(long = "cert", value_name = "K", requires = "case", conflicts_with = "employee")]
        cert: Option<u32>,
        /// With --case, an employee case: the employee's row of the annex (the same as --cert).
        #[arg(long, value_name = "K", requires = "case")]
        employee: Option<u32>,
        #[command(flatten)]
        by: KeyActAs,
    },
    /// Import the CA's answers for a case's certificates at once: PEM/DER/PKCS#7 files or
    /// folders (their *.pem *.crt *.cer *.der *.p7b *.p7c), each certificate matched to the
    /// case's certificate by its public key. Anything wrong refuses the whole batch, listing
    /// every file and why; nothing is imported then.
    ImportCerts {
        #[arg(long = "case", value_name = "NUMBER")]
        case: String,
        #[arg(required = true, value_name = "FILE|DIR")]
        files: Vec<PathBuf>,
        #[command(flatten)]
        by: KeyActAs,
    },
    /// Copy the request packages of a case's certificates waiting for the CA (each request and
    /// its package) into one folder: the batch that goes to the CA together.
    Requests {
        #[arg(long = "case", value_name = "NUMBER")]
        case: String,
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        #[command(flatten)]
        by: KeyActAs,
    },
    /// Which case an issued certificate belongs to (matched by its public key).
    MatchCert {
        #[arg(long)]
        cert: PathBuf,
        #[command(flatten)]
        by: KeyActAs,
    },
    /// The issuance steps recorded on a case's certificate (--cert K; default the first not
    /// finished), every certificate's state, and the next step.
    Status {
        #[arg(long = "case", value_name = "NUMBER")]
        case: String,
        #[arg(long = "cert", value_name = "K")]
        cert: Option<u32>,
        #[command(flatten)]
        by: KeyActAs,
    },
    /// Write a seal image (PNG) to the token, or with --case the case's seal images that belong to
    /// the certificate's holder (an employee's key its holder's signature; the unit's key its
    /// seals, the 法人章 and 法人签字 not where the project keeps them apart and the unit did not
    /// choose so: `--json` names them in `kept_apart`, with `kept_apart_why`).
    WriteSeal {
        #[command(flatten)]
        token: TokenArg,
        #[arg(long = "pin-file", value_name = "FILE")]
        pin_file: Option<PathBuf>,
        #[arg(long, required_unless_present = "case", conflicts_with = "case")]
        image: Option<PathBuf>,
        #[arg(long = "case", value_name = "NUMBER")]
        case: Option<String>,
        /// With --case: the certificate (1-based); default the case's next one waiting for
        /// this step (the plugged key's first).
        #[arg(long = "cert", value_name = "K", requires = "case", conflicts_with = "employee")]
        cert: Option<u32>,
        /// With --case, an employee case: the employee's row of the annex (the same as --cert).
        #[arg(long, value_name = "K", requires = "case")]
        employee: Option<u32>,
        #[command(flatten)]
        by: KeyActAs,
    },
    /// What is on the token (keys and certificates need the PIN, and a key clerk).
    Show {
        #[command(flatten)]
        token: TokenArg,
        #[arg(long = "pin-file", value_name = "FILE")]
        pin_file: Option<PathBuf>,
        #[command(flatten)]
        by: KeyActAs,
    },
    /// The certificates on the key an applicant brings, read at intake without a PIN: each
    /// one's use (sign, encrypt), subject (CN, O, 统一社会信用代码), serial, issuer, validity
    /// and key algorithm; the CA certificates of a chain on the key are left out. Without
    /// --token or --serial, the one key plugged in. Nothing is written or recorded.
    ReadCerts {
        #[arg(long = "token", value_name = "LABEL")]
        label: Option<String>,
        #[arg(long, value_name = "SERIAL", conflicts_with = "label")]
        serial: Option<String>,
        #[command(flatten)]
        by: KeyActAs,
    },
    /// The unit's organisation certificate on the key it brings (#71: employee certificates
    /// need it first where the project says so), read without a PIN: the unit's signing
    /// certificate valid now whose subject carries --uscc; `--json` gives `{found, problem,
    /// problem_zh}` (`found` as `read-certs` lists a certificate). Exit 1 when the key shows none.
    UnitCert {
        #[arg(long, value_name = "USCC")]
        uscc: String,
        #[arg(long = "token", value_name = "LABEL")]
        label: Option<String>,
        #[arg(long, value_name = "SERIAL", conflicts_with = "label")]
        serial: Option<String>,
        #[command(flatten)]
        by: KeyActAs,
    },
    /// Change a key's user PIN (a key clerk; on the key desk's log).
    ChangePin {
        #[command(flatten)]
        token: TokenArg,
        #[arg(long = "pin-file", value_name = "FILE")]
        pin_file: Option<PathBuf>,
        #[arg(long = "new-pin-file", value_name = "FILE")]
        new_pin_file: Option<PathBuf>,
        #[command(flatten)]
        by: KeyActAs,
    },
    /// Unlock a PIN-locked key: SO PIN and a new user PIN (--case: as that 解锁 case's step).
    Unlock {
        #[command(flatten)]
        token: TokenArg,
        /// The 解锁 case this unlock is done for (needs --as).
        #[arg(long = "case", value_name = "NUMBER")]
        case: Option<String>,
        #[arg(long = "so-pin-file", value_name = "FILE")]
        so_pin_file: Option<PathBuf>,
        #[arg(long = "new-pin-file", value_name = "FILE")]
        new_pin_file: Option<PathBuf>,
        /// Record the unlock on the audit chain as this key clerk.
        #[command(flatten)]
        by: KeyActAs,
    },
    /// Wipe a returned key (re-initialise: every object and the user PIN are gone).
    Wipe {
        #[command(flatten)]
        token: TokenArg,
        /// The case whose returned key this is (needs --as).
        #[arg(long = "case", value_name = "NUMBER")]
        case: Option<String>,
        #[arg(long = "so-pin-file", value_name = "FILE")]
        so_pin_file: Option<PathBuf>,
        /// Record the wipe on the audit chain as this key clerk.
        #[command(flatten)]
        by: KeyActAs,
    },
}

#[derive(Subcommand, Debug)]
pub enum FormCmd {
    /// The forms of every project, or of one.
    List {
        #[arg(long)]
        project: Option<String>,
    },
    /// Render the forms a case needs (or one) into one PDF.
    Render {
        /// A stored case.
        #[arg(long = "case", value_name = "NUMBER", conflicts_with = "input", required_unless_present = "input")]
        case: Option<String>,
        /// A case JSON file (a preview: no case number).
        #[arg(long, value_name = "CASE.json")]
        input: Option<PathBuf>,
        /// Only this form (see `form list`); `receipt` for the 受理回执.
        #[arg(long)]
        form: Option<String>,
        #[arg(long, value_name = "FILE.pdf")]
        out: PathBuf,
        /// With --case: the account printing, recorded on the case (forms_printed), as the app
        /// does. With --input the PDF is a preview: no store, nothing recorded.
        #[command(flatten)]
        by: ActAs,
    },
    /// Lint every catalog and layout of a forms folder (default: the built-in one).
    Check { dir: Option<PathBuf> },
}

#[derive(Args, Debug)]
pub struct Transition {
    pub number: String,
    #[arg(long)]
    pub reason: Option<String>,
    /// approve: accept the materials the applicant will bring later (材料后补), which the case
    /// lists (`case show`); without it such a case is not approved.
    #[arg(long = "accept-to-follow")]
    pub accept_to_follow: bool,
    #[command(flatten)]
    pub by: ActAs,
}

#[derive(Subcommand, Debug)]
pub enum DayCmd {
    /// Sign off a day (a supervisor with their key: --token LABEL --pin-file F).
    Close {
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = certdesk_desk::dates::parse_day_arg)]
        day: chrono::NaiveDate,
        #[command(flatten)]
        by: ActAs,
    },
    /// Check a closed day against the store: its signature, the chain's head it signed, its
    /// sheet, its cases; and list the day's events written after the close.
    Verify {
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = certdesk_desk::dates::parse_day_arg)]
        day: chrono::NaiveDate,
        /// The reference a printed ledger carries (its QR code): must be the close's.
        #[arg(long, value_name = "TEXT")]
        reference: Option<String>,
        /// An exported ledger (CSV or XLSX, `report daily --out`) held against the signed day:
        /// a figure that differs is named and the day does not verify.
        #[arg(long, value_name = "FILE")]
        ledger: Option<PathBuf>,
        #[command(flatten)]
        by: ActAs,
    },
}

#[derive(Subcommand, Debug)]
pub enum AuditCmd {
    /// Walk the chain and name the first event that was edited, deleted or reordered.
    Verify {
        #[command(flatten)]
        by: ActAs,
    },
    /// The audit log (审计日志, #79): the chain's events of the counter's days FROM to TO, newest
    /// first, a page of 200 (`--before SEQ` for the next); as an administrator or a supervisor.
    /// `--export csv|xlsx` writes every event chosen into the export folder instead.
    Log {
        /// first day (YYYY-MM-DD; default: today)
        #[arg(long)]
        from: Option<String>,
        /// last day, included (default: FROM)
        #[arg(long)]
        to: Option<String>,
        /// only this account's events (its login)
        #[arg(long = "actor")]
        of_account: Option<String>,
        /// only this case's events
        #[arg(long = "case")]
        case_number: Option<String>,
        /// only this action (its wire name, e.g. approve, user_roles, login_failed)
        #[arg(long)]
        action: Option<String>,
        /// the events before this one (the last page's oldest `seq`)
        #[arg(long)]
        before: Option<i64>,
        /// write the chosen events as csv or xlsx into the export folder
        #[arg(long, value_name = "FORMAT")]
        export: Option<String>,
        #[command(flatten)]
        by: ActAs,
    },
}

/// A closed pipe (`certdesk --json case steps N | head`) ends the command quietly (#75): whoever
/// read the output has what they wanted. `println!` panics when stdout's reader is gone; this
/// hook turns that one panic into a plain exit, and leaves every other panic its report.
fn quiet_on_closed_pipe() {
    let report = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let message = payload.downcast_ref::<String>().map(String::as_str).or_else(|| payload.downcast_ref::<&str>().copied()).unwrap_or_default();
        // Unix: EPIPE (os error 32); Windows: ERROR_NO_DATA (232), "the pipe is being closed"
        let closed = message.contains("Broken pipe") || message.contains("os error 32)") || message.contains("os error 232)");
        if message.starts_with("failed printing to std") && closed {
            std::process::exit(0);
        }
        report(info)
    }));
}

fn main() -> ExitCode {
    quiet_on_closed_pipe();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let ctx = context::Ctx::new(cli.global);
    // the fonts of printed forms: CERTDESK_FONTS where set, else next to this binary
    certdesk_desk::print::configure_fonts(None, &ctx.env);
    let json = ctx.g.json;
    let result = run(&ctx, cli.command);
    // an operation a crash interrupted, settled when the store was opened (#78): said once
    for notice in certdesk_desk::place::take_settled_notices() {
        eprintln!("certdesk: {}", notice.message);
    }
    match result {
        Ok(code) => code,
        Err(err) => {
            output::print_error(&err, json);
            ExitCode::from(err.exit_code())
        }
    }
}

fn run(ctx: &context::Ctx, command: Command) -> Result<ExitCode, output::CliError> {
    match command {
        Command::Validate { kind, values } => catalog::validate(ctx, kind, &values),
        Command::Catalog(c) => catalog::catalog_cmd(ctx, c),
        Command::Fee(args) => catalog::fee(ctx, &args),
        Command::Case(c) => case::case_cmd(ctx, c),
        Command::Audit(AuditCmd::Verify { by }) => audit::verify(ctx, &by),
        Command::Audit(AuditCmd::Log { from, to, of_account, case_number, action, before, export, by }) => {
            let from = from.unwrap_or_else(|| certdesk_desk::dates::show_day(certdesk_desk::dates::today()));
            let to = to.unwrap_or_else(|| from.clone());
            let query = certdesk_desk::audit_log::AuditQuery { from, to, actor: of_account, case_number, action, before };
            audit::log(ctx, &query, export.as_deref(), &by)
        }
        Command::Day(c) => day::day_cmd(ctx, c),
        Command::Form(c) => form::form_cmd(ctx, c),
        Command::Key(k) => key::key_cmd(ctx, k),
        Command::Seal(SealCmd::Import { scan, out, dpi, single }) => seal::import(ctx, &scan, &out, dpi, single),
        Command::Seal(SealCmd::Accept { number, row, col, note, by }) => seal::accept(ctx, &number, row, col, note, &by),
        Command::User(c) => user::user_cmd(ctx, c),
        Command::Counter(c) => counter::counter_cmd(ctx, c),
        Command::Ra(c) => ra::ra_cmd(ctx, c),
        Command::Calendar(c) => calendar::calendar_cmd(ctx, c),
        Command::Payments(c) => payments::payments_cmd(ctx, c),
        Command::Unit(UnitCmd::Show { uscc, by }) => {
            let (mut store, mut session) = ctx.session("unit show", &by)?;
            let on_file = session.desk(&mut store)?.unit_on_file(&uscc, certdesk_desk::dates::today())?;
            output::show(ctx.g.json, &on_file, || unit_text(&on_file));
            Ok(ExitCode::SUCCESS)
        }
        Command::Report(c) => report::report_cmd(ctx, c),
        Command::Store(c) => store::store_cmd(ctx, c),
        Command::Idcard(IdcardCmd::Read { port, library, usb_port }) => idcard::read(ctx, port, library, usb_port.as_deref()),
        Command::Employees(EmployeesCmd::Read { file, business, years }) => employees::read(ctx, &file, business.as_deref(), years),
        Command::Intake(IntakeCmd::Form { project, business, cert_kind, medium }) => intake::form(ctx, &project, &business, &cert_kind, medium.as_deref()),
    }
}

/// `unit show`'s text: the unit, its letters and its certificates, a line each.
fn unit_text(u: &certdesk_desk::unit::UnitOnFile) -> String {
    let mut lines = vec![format!("{} {} ({} case(s))", u.uscc, u.name.as_deref().unwrap_or("—"), u.cases.len())];
    for a in &u.authorizations {
        lines.push(format!("authorisation {} until {}{} ({})", a.holder, a.until, if a.valid { "" } else { " (expired)" }, a.case));
    }
    for c in &u.certificates {
        lines.push(format!("certificate {} {} until {} on key {} ({})", c.serial, c.holder, c.not_after, c.key_serial, c.case));
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_command_line_definition_is_consistent() {
        use clap::CommandFactory;
        super::Cli::command().debug_assert();
    }
}
