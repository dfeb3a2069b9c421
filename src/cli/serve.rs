//! Serving and the work a server does: `serve`, `migrate`, `demo` and
//! `sweep-alerts`.

use super::open::{open, DbArgs, ServeArgs};
use clap::Args;
use std::path::Path;

#[derive(Args, Clone)]
pub struct DemoArgs {
    #[command(flatten)]
    serve: ServeArgs,
    /// How many participants to generate.
    #[arg(long, default_value_t = 320)]
    participants: usize,
}

pub async fn serve(config: Option<&Path>, args: &ServeArgs) -> anyhow::Result<()> {
    let s = args.settings(config)?;
    crate::server::serve(open(&s).await?, &s.bind).await
}

pub async fn migrate(config: Option<&Path>, db: &DbArgs) -> anyhow::Result<()> {
    open(&db.settings(config)?).await?;
    println!("migrations are up to date");
    Ok(())
}

pub async fn demo(config: Option<&Path>, args: &DemoArgs) -> anyhow::Result<()> {
    let s = args
        .serve
        .settings_or(config, "sqlite://bridgeway-demo.db")?;
    let app = open(&s).await?;
    let logins = crate::demo::ensure(&app, args.participants).await?;
    println!();
    println!("Bridgeway demo: http://{}/", s.bind);
    println!("Sign in as (username / password):");
    for (u, p) in &logins {
        println!("  {u:<12} {p}");
    }
    println!();
    println!(
        "Every demo account uses the authenticator secret {} (the sign-in page also shows the \
         current code).",
        crate::demo::DEMO_TOTP_SECRET
    );
    println!();
    crate::server::serve(app.with_demo(logins, crate::demo::demo_totp()), &s.bind).await
}

#[derive(Args, Clone)]
pub struct SweepArgs {
    #[command(flatten)]
    db: DbArgs,
    /// Sweep every case, not only what the days since the last sweep
    /// brought (after rows were changed outside Bridgeway: a restore, an
    /// import).
    #[arg(long)]
    full: bool,
}

pub async fn sweep_alerts(config: Option<&Path>, args: &SweepArgs) -> anyhow::Result<()> {
    let app = open(&args.db.settings(config)?).await?;
    let raised = if args.full {
        crate::app::casework::alerts::sweep_all(&app).await?
    } else {
        crate::app::casework::alerts::sweep(&app).await?
    };
    println!("raised {raised} alerts");
    Ok(())
}
