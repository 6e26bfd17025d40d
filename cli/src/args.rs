//! Command-line flags (clap). Raw flags only: `commands` turns them into validated settings.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// AWS IAM permission insights and account posture checks.
#[derive(Debug, Parser)]
#[command(name = "iamsight", version, about, long_about = None, max_term_width = 100)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Every check: runtime posture and IAM insights, in one report.
    Scan(ReportArgs),
    /// IAM insights only: unused, overly permissive and risky grants.
    Audit(ReportArgs),
    /// What an action pattern expands to in the embedded IAM action catalog.
    Catalog(CatalogArgs),
    /// List the checks, or explain one.
    Checks(ChecksArgs),
    /// Evaluate policies against a request, offline (like AWS's custom policy simulator).
    Simulate(SimulateArgs),
    /// Can a principal of a snapshot perform an action on a resource, and why.
    Can(CanArgs),
}

/// Where the account comes from.
#[derive(Debug, Args)]
pub struct SourceArgs {
    /// Snapshot file (`iamsight collect` output, gzip or not) or an
    /// `aws iam get-account-authorization-details` JSON.
    #[arg(long, value_name = "FILE", conflicts_with = "demo")]
    pub snapshot: Option<PathBuf>,
    /// Use the demo account embedded in the binary.
    #[arg(long)]
    pub demo: bool,
}

/// Flags of `scan` and `audit`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    /// Config file (default: `iamsight.toml` in the working directory, if present).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    pub format: ReportFormat,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Exit with 1 when an open finding is at or above this severity.
    #[arg(long, value_name = "SEVERITY", default_value = "never")]
    pub fail_on: String,
    /// Run only these checks (ids or names, comma-separated).
    #[arg(long, value_delimiter = ',', value_name = "CHECKS")]
    pub select: Vec<String>,
    /// Skip these checks (ids or names, comma-separated).
    #[arg(long, value_delimiter = ',', value_name = "CHECKS")]
    pub ignore: Vec<String>,
    /// Also list suppressed findings in the table.
    #[arg(long)]
    pub show_suppressed: bool,
}

/// Report formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// A table for the terminal.
    Table,
    /// The full report model.
    Json,
}

/// Flags of `catalog`.
#[derive(Debug, Args)]
pub struct CatalogArgs {
    /// An action or pattern: `s3:GetObject`, `s3:Get*`, `iam:*Policy*`, `*`.
    pub pattern: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    pub format: ListFormat,
}

/// Flags of `checks`.
#[derive(Debug, Args)]
pub struct ChecksArgs {
    /// A check id or name to explain.
    pub check: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    pub format: ListFormat,
}

/// Formats of listing commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    /// A table for the terminal.
    Table,
    /// JSON.
    Json,
}

/// Flags of `simulate`.
#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// A case file: one case object or an array of them (see `fixtures/eval-cases/README.md`).
    pub case: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    pub format: ListFormat,
}

/// Flags of `can`.
#[derive(Debug, Args)]
pub struct CanArgs {
    /// The principal: a user or role name, or an ARN (user, role, or role session).
    pub principal: String,
    /// The action, e.g. `s3:GetObject`.
    pub action: String,
    /// The resource ARN (default `*`).
    #[arg(default_value = "*")]
    pub resource: String,
    #[command(flatten)]
    pub source: SourceArgs,
    /// A request context value, `key=value` (repeat the key for several values).
    #[arg(long = "context", value_name = "KEY=VALUE")]
    pub context: Vec<String>,
    /// The resource's account, when it is not the principal's.
    #[arg(long, value_name = "ACCOUNT")]
    pub resource_account: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    pub format: ListFormat,
}
