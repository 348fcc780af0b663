//! The `certdesk` command line: the desktop app's jobs, headless. Owns argument parsing, the
//! choice of database and catalog, human and `--json` output, and exit codes (0 success,
//! 1 refused or invalid, 2 usage). The work itself is done by the library crates.

mod commands;
mod output;

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
    /// The case database (default: CERTDESK_DB, else the per-user data folder).
    #[arg(long, global = true, value_name = "PATH")]
    pub db: Option<PathBuf>,
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
    /// Check identifiers: uscc, ric, orgcode, mobile, landline, email, postcode.
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
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum IdentArg {
    Uscc,
    Ric,
    Orgcode,
    Mobile,
    Landline,
    Email,
    Postcode,
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

#[derive(Subcommand, Debug)]
pub enum CaseCmd {
    /// Import a case JSON file as a new draft case; prints its number.
    Import {
        file: PathBuf,
        /// Who imports it (recorded on the audit chain).
        #[arg(long = "as", value_name = "USER")]
        actor: Option<String>,
    },
    /// Show one case.
    Show { number: String },
    /// List cases, newest first.
    List {
        #[arg(long)]
        status: Option<String>,
        #[arg(long)]
        limit: Option<usize>,
    },
    /// Search by any fragment of names, identifiers, mobile numbers.
    Search {
        #[arg(required = true, num_args = 1..)]
        text: Vec<String>,
        #[arg(long, default_value_t = 50)]
        limit: usize,
    },
    /// Print the case JSON.
    Export {
        number: String,
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
pub enum AuditCmd {
    /// Walk the chain and name the first event that was edited, deleted or reordered.
    Verify,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let json = cli.global.json;
    match commands::run(cli) {
        Ok(code) => code,
        Err(err) => {
            output::print_error(&err, json);
            ExitCode::from(err.exit_code())
        }
    }
}
