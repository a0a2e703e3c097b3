//! `roster`: the one binary. Parses the command line and hands over to `startup`.

use clap::Parser;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    roster::cli::Cli::parse().run().await
}
