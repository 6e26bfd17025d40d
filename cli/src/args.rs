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
    /// Every principal allowed an action on a resource (directly or under conditions).
    WhoCan(WhoCanArgs),
    /// Privilege-escalation paths: who can become admin (or reach a principal), and how.
    Paths(PathsArgs),
    /// The permission graph.
    Graph(GraphArgs),
    /// Unused permissions, one row per principal × policy × statement × permission.
    Unused(UnusedArgs),
    /// Least-privilege policies from real use (never applied to the account).
    Suggest(SuggestArgs),
    /// Read a live account through the AWS SDK (read-only) and write a snapshot.
    Collect(CollectArgs),
}

/// How to reach a live account (`collect`, and `scan`/`audit` without `--snapshot`).
#[derive(Debug, Args)]
pub struct AwsArgs {
    /// Named profile of the AWS shared config files (default: the standard chain).
    #[arg(long, value_name = "PROFILE")]
    pub profile: Option<String>,
    /// Region to scan; repeat or comma-separate (default: every region enabled in the account).
    #[arg(long = "region", value_name = "REGION", value_delimiter = ',')]
    pub regions: Vec<String>,
    /// Assume this role first (a read-only scanning role, see `deploy/`).
    #[arg(long, value_name = "ARN")]
    pub role_arn: Option<String>,
    /// The external id the role's trust policy requires.
    #[arg(long, value_name = "ID", requires = "role_arn")]
    pub external_id: Option<String>,
    /// AWS requests in flight at most.
    #[arg(long, value_name = "N", default_value_t = 8)]
    pub concurrency: usize,
    /// Seconds one service last-accessed job (or the credential report) may take.
    #[arg(long, value_name = "SECONDS", default_value_t = 300)]
    pub job_timeout: u64,
    /// No progress bars and no summary.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Flags of `collect`.
#[derive(Debug, Args)]
pub struct CollectArgs {
    #[command(flatten)]
    pub aws: AwsArgs,
    /// The snapshot file to write (gzip when the name ends in `.gz`; owner-only permissions).
    #[arg(
        long,
        short,
        value_name = "FILE",
        default_value = "iamsight-snapshot.json"
    )]
    pub output: PathBuf,
    /// End with the number of calls per operation.
    #[arg(long, short)]
    pub verbose: bool,
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
    /// Output format (of standard output, or of a plain `--output FILE`).
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    pub format: ReportFormat,
    /// Write the report to FILE instead of standard output; `FORMAT=FILE` (repeatable) writes
    /// that format too, e.g. `--output html=report.html --output sarif=report.sarif`.
    #[arg(long, short, value_name = "[FORMAT=]FILE")]
    pub output: Vec<String>,
    /// Exit with 1 when an open finding is at or above this severity.
    #[arg(long, value_name = "SEVERITY", default_value = "never")]
    pub fail_on: String,
    /// Run only these checks (ids or names, comma-separated).
    #[arg(long, value_delimiter = ',', value_name = "CHECKS")]
    pub select: Vec<String>,
    /// Skip these checks (ids or names, comma-separated).
    #[arg(long, value_delimiter = ',', value_name = "CHECKS")]
    pub ignore: Vec<String>,
    /// Also list suppressed findings (marked as such) in every format; without it they are
    /// left out and only counted in the summary.
    #[arg(long)]
    pub show_suppressed: bool,
    /// A previous JSON report: show only findings that are new since then (stable ids).
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Without `--snapshot` or `--demo`: how to reach the live account.
    #[command(flatten)]
    pub aws: AwsArgs,
}

/// Report formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// A table for the terminal.
    Table,
    /// The full report model (schema: `docs/report.schema.json`).
    Json,
    /// One row per finding (RFC 4180).
    Csv,
    /// SARIF 2.1.0, for code-scanning tools.
    Sarif,
    /// OCSF Detection Findings (class 2004), one event per finding.
    Ocsf,
    /// JUnit XML: a test suite per check, a test case per check and resource.
    Junit,
    /// One self-contained HTML page with filters.
    Html,
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

/// Flags of `who-can`.
#[derive(Debug, Args)]
pub struct WhoCanArgs {
    /// The action, e.g. `s3:GetObject`.
    pub action: String,
    /// The resource ARN (default `*`).
    #[arg(default_value = "*")]
    pub resource: String,
    #[command(flatten)]
    pub source: SourceArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    pub format: ListFormat,
}

/// Flags of `paths`.
#[derive(Debug, Args)]
pub struct PathsArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    /// `admin` (default), or a principal name or ARN to reach.
    #[arg(long, default_value = "admin")]
    pub to: String,
    /// Only paths starting at this principal (name or ARN).
    #[arg(long)]
    pub from: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    pub format: ListFormat,
}

/// Flags of `graph`.
#[derive(Debug, Args)]
pub struct GraphArgs {
    /// What to do with the graph.
    #[command(subcommand)]
    pub action: GraphAction,
}

/// `graph` subcommands.
#[derive(Debug, Subcommand)]
pub enum GraphAction {
    /// Write the graph for Graphviz, Gephi and other tools.
    Export(GraphExportArgs),
}

/// Flags of `graph export`.
#[derive(Debug, Args)]
pub struct GraphExportArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    /// Format.
    #[arg(long, value_enum, default_value_t = GraphFormat::Dot)]
    pub format: GraphFormat,
    /// Keep only the escalation subgraph (assume and escalate edges).
    #[arg(long)]
    pub only_escalation: bool,
    /// Write to FILE instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// Graph export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    /// Graphviz DOT.
    Dot,
    /// GraphML.
    Graphml,
    /// JSON nodes and edges.
    Json,
}

/// Flags of `unused`.
#[derive(Debug, Args)]
pub struct UnusedArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    /// Config file (default: `iamsight.toml` in the working directory, if present).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Write the rows as CSV (RFC 4180, UTF-8) to FILE.
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,
    /// Also list rows that are not confidently unused (untracked, too new) and used grants.
    #[arg(long)]
    pub all: bool,
    /// Output format (without `--csv`).
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    pub format: ListFormat,
}

/// Flags of `suggest`.
#[derive(Debug, Args)]
pub struct SuggestArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    /// Config file (default: `iamsight.toml` in the working directory, if present).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Only this principal (name or ARN).
    #[arg(long, conflicts_with = "all")]
    pub principal: Option<String>,
    /// Every user and role (the default when `--principal` is absent).
    #[arg(long)]
    pub all: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = SuggestFormat::Json)]
    pub format: SuggestFormat,
    /// Directory for `--format terraform` (one file per principal).
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
    /// Give each holder of a managed policy shared by several principals its own policy,
    /// judged against its own use (default: one rewrite against the union of the holders' use).
    #[arg(long)]
    pub split_shared: bool,
}

/// Formats of `suggest`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SuggestFormat {
    /// One JSON element per principal: the suggested policies, what was removed and kept and
    /// why, and the removals that concern it; then the groups and policies to remove.
    Json,
    /// A unified diff of each changed policy against today's.
    Diff,
    /// Terraform resources with the suggested documents, one file per principal in `--out-dir`.
    Terraform,
}
