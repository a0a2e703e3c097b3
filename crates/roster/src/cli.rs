//! The command line: `roster serve`, `roster migrate`, `roster demo`, `roster backup`,
//! `roster restore`, `roster account create|list`, `roster user import|unlock`.

use crate::config::{Config, LogFormat, Overrides};
use crate::{accounts, backup, demo, import, startup, telemetry, unlock};
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(name = "roster", version, about = "User-management admin console for multi-workspace platforms")]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Settings every command accepts. Each also reads `ROSTER_…` environment variables and
/// the `--config` file; a flag given here wins.
#[derive(Args, Debug, Clone, Default)]
pub struct Common {
    /// TOML configuration file (see config/default.toml).
    #[arg(long, value_name = "FILE", global = true)]
    pub config: Option<PathBuf>,
    /// Directory for the SQLite database and the mail outbox [env: ROSTER_DATA_DIR] [default: ./data]
    #[arg(long, value_name = "DIR", global = true)]
    pub data_dir: Option<PathBuf>,
    /// sqlite://… or postgres://… [env: ROSTER_DATABASE_URL] [default: sqlite://<data-dir>/roster.db]
    #[arg(long, value_name = "URL", global = true)]
    pub database_url: Option<String>,
    /// Log format: text or json [env: ROSTER_LOG_FORMAT]
    #[arg(long, value_name = "FORMAT", global = true)]
    pub log_format: Option<LogFormat>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run the server (migrates the database first).
    Serve {
        #[command(flatten)]
        common: Common,
        /// Address to listen on [env: ROSTER_BIND] [default: 127.0.0.1:8080]
        #[arg(long, value_name = "ADDR")]
        bind: Option<String>,
        /// Seed realistic sample data into an empty database and print the demo sign-in.
        #[arg(long)]
        demo: bool,
    },
    /// Apply pending database migrations and exit.
    Migrate {
        #[command(flatten)]
        common: Common,
    },
    /// Fill an empty database with generated users, for scale work.
    Demo {
        #[command(flatten)]
        common: Common,
        /// How many users to generate.
        #[arg(long, value_name = "N")]
        users: usize,
    },
    /// Write an online, consistent backup of the database to FILE (SQLite: a copy made while
    /// Roster runs; PostgreSQL: pg_dump's custom format).
    Backup {
        #[command(flatten)]
        common: Common,
        /// Where to write the backup (must not exist yet).
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
    /// Restore a backup made by `roster backup` into the configured database. SQLite: stop
    /// Roster first; the current database file is moved aside, never deleted. PostgreSQL:
    /// restore into an empty database.
    Restore {
        #[command(flatten)]
        common: Common,
        /// The backup file.
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
    /// Manage the accounts (tenants) of this installation.
    Account {
        #[command(subcommand)]
        command: AccountCommand,
    },
    /// Manage users from the command line.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
}

#[derive(Subcommand, Debug)]
enum AccountCommand {
    /// Create an account with its workspace "Default" and print the one-time setup link
    /// (valid 7 days) that creates its Primary Master Admin.
    Create {
        #[command(flatten)]
        common: Common,
        /// The account's name, as its admins see it.
        #[arg(long, value_name = "NAME")]
        name: String,
        /// The Primary Master Admin's email; the setup link creates this address only.
        #[arg(long, value_name = "EMAIL")]
        admin_email: String,
        /// Short identifier used at sign-in and by `--account` (a-z, 0-9, -) [default: made from the name]
        #[arg(long, value_name = "SLUG")]
        slug: Option<String>,
    },
    /// List the accounts: id, slug, name, users, created (tab-separated).
    List {
        #[command(flatten)]
        common: Common,
    },
}

#[derive(Subcommand, Debug)]
enum UserCommand {
    /// Invite every row of a CSV file (header: email,first_name,last_name,workspace,groups;
    /// groups separated by `;`), with a per-row report.
    Import {
        #[command(flatten)]
        common: Common,
        /// The CSV file.
        #[arg(value_name = "FILE.csv")]
        file: PathBuf,
        /// Workspace for rows that name none.
        #[arg(long, value_name = "NAME")]
        workspace: Option<String>,
        /// The account to import into, by slug [default: the only account]
        #[arg(long, value_name = "SLUG")]
        account: Option<String>,
        /// Do not send invitation emails (links can be re-sent later with "Resend invitation").
        #[arg(long)]
        no_email: bool,
    },
    /// Unlock a user locked out by failed sign-ins (audited as user.unlocked by the
    /// operator). A lockout also ends by itself when its time is up (if the security
    /// settings give it one) and when the user resets their password.
    Unlock {
        #[command(flatten)]
        common: Common,
        /// The locked user's email.
        #[arg(value_name = "EMAIL")]
        email: String,
        /// The user's account, by slug [default: the only account]
        #[arg(long, value_name = "SLUG")]
        account: Option<String>,
    },
}

impl Cli {
    pub async fn run(self) -> anyhow::Result<()> {
        match self.command {
            Command::Serve { common, bind, demo } => {
                let config = Config::load(&common, Overrides { bind })?;
                telemetry::init(config.log_format);
                // Listen for SIGTERM from the start: one that arrives while migrating lets the
                // migration finish, then stops cleanly.
                let stop = startup::shutdown_signal();
                let app = startup::Application::build(config, demo).await?;
                app.run_until(stop).await
            }
            Command::Migrate { common } => {
                let config = Config::load(&common, Overrides::default())?;
                telemetry::init(config.log_format);
                // Creates the database when there is none (a first install may migrate
                // before it serves), under the lock a restore respects.
                let db = startup::connect(&config).await?;
                let _held = crate::serving_lock::for_command(&config)?;
                let report = db.migrate().await?;
                println!("Migrations applied to {}", config.database_url_redacted());
                if report.rekeyed > 0 {
                    println!("{} email addresses re-keyed to their canonical form.", report.rekeyed);
                }
                for c in &report.collisions {
                    println!("Not re-keyed, one mailbox: {c}.");
                }
                if report.collisions.is_empty() {
                    Ok(())
                } else {
                    anyhow::bail!(
                        "{} groups of users share one mailbox; delete one of each and run again",
                        report.collisions.len()
                    )
                }
            }
            Command::Demo { common, users } => {
                let config = Config::load(&common, Overrides::default())?;
                telemetry::init(config.log_format);
                demo::generate(&config, users).await
            }
            Command::Backup { common, file } => {
                let config = Config::load(&common, Overrides::default())?;
                telemetry::init(config.log_format);
                backup::backup(&config, &file).await
            }
            Command::Restore { common, file } => {
                let config = Config::load(&common, Overrides::default())?;
                telemetry::init(config.log_format);
                backup::restore(&config, &file).await
            }
            Command::Account { command: AccountCommand::Create { common, name, admin_email, slug } } => {
                let config = Config::load(&common, Overrides::default())?;
                telemetry::init(config.log_format);
                accounts::create(&config, app::accounts::NewAccountRequest { name, slug, admin_email }).await
            }
            Command::Account { command: AccountCommand::List { common } } => {
                let config = Config::load(&common, Overrides::default())?;
                telemetry::init(config.log_format);
                accounts::list(&config).await
            }
            Command::User { command: UserCommand::Import { common, file, workspace, account, no_email } } => {
                let config = Config::load(&common, Overrides::default())?;
                telemetry::init(config.log_format);
                let args = import::ImportArgs { file: &file, workspace, account, send_email: !no_email };
                import::run(&config, args).await
            }
            Command::User { command: UserCommand::Unlock { common, email, account } } => {
                let config = Config::load(&common, Overrides::default())?;
                telemetry::init(config.log_format);
                unlock::run(&config, account.as_deref(), &email).await
            }
        }
    }
}
