//! `roster account create` and `roster account list`: the operator's view of the accounts
//! (tenants) of this installation, through the same use cases the server uses.

use crate::config::Config;
use crate::startup;
use app::AppCtx;
use app::accounts::NewAccountRequest;

/// The installation's database, which must exist: a wrong data directory or URL is an error
/// naming it, not a new installation holding only the account being created.
async fn context(config: &Config) -> anyhow::Result<AppCtx> {
    let db = startup::connect_existing(config).await?;
    db.migrate().await?;
    Ok(AppCtx::new(db, config.auth_settings(), config.mailer()))
}

/// Creates the account and prints the one-time setup link for its Primary Master Admin.
pub async fn create(config: &Config, req: NewAccountRequest) -> anyhow::Result<()> {
    let ctx = context(config).await?;
    let created = app::accounts::create(&ctx, req).await;
    ctx.db.close().await;
    let created = created?;
    println!(
        "Created account {:?} (slug {}, id {}) with workspace \"Default\".",
        created.name, created.slug, created.id.0
    );
    if let Some(warning) = config.unreachable_links() {
        eprintln!("Warning: {warning}.");
    }
    println!(
        "Send this link to {}: it creates their Primary Master Admin, works once, and expires at {}.\n  {}/setup?token={}",
        created.admin_email,
        app::clock::rfc3339(created.expires_at),
        config.link_base(),
        created.setup_token
    );
    Ok(())
}

/// Prints every account: id, slug, name, users, created (UTC), tab-separated under a header.
pub async fn list(config: &Config) -> anyhow::Result<()> {
    let ctx = context(config).await?;
    let accounts = app::accounts::list(&ctx).await;
    ctx.db.close().await;
    println!("id\tslug\tname\tusers\tcreated");
    for a in accounts? {
        println!("{}\t{}\t{}\t{}\t{}", a.id, a.slug, a.name, a.users, app::clock::rfc3339(a.created_at));
    }
    Ok(())
}
