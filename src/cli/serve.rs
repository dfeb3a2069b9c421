//! Serving and the work a server does: `serve`, `migrate`, `demo` and
//! `sweep-alerts`.

use super::open::{open, DbArgs, ServeArgs};
use clap::Args;
use std::path::Path;

#[derive(Args, Clone)]
pub struct DemoArgs {
    #[command(flatten)]
    serve: ServeArgs,
    /// How many participants to generate in a new demo database (320 if
    /// not given); an existing demo database is reused as it is.
    #[arg(long)]
    participants: Option<usize>,
}

/// Participants in a new demo database unless `--participants` says.
const DEMO_PARTICIPANTS: usize = 320;

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
    // The address first: a busy port fails now, not after the data.
    let listener = crate::server::listen(&s.bind).await?;
    let app = open(&s).await?;
    let wanted = args.participants.unwrap_or(DEMO_PARTICIPANTS);
    let demo = crate::demo::ensure(&app, wanted).await?;
    if demo.reused {
        eprintln!(
            "Reusing the demo database ({} participants).",
            demo.participants
        );
        match args.participants {
            Some(asked) if i64::try_from(asked).ok() != Some(demo.participants) => eprintln!(
                "--participants {asked} applies to a new demo database only; this one keeps its \
                 {}. To generate {asked}, stop, then remove the demo database (or give another \
                 --database-url) and start again.",
                demo.participants
            ),
            _ => {}
        }
    }
    println!();
    println!("Bridgeway demo: http://{}/", s.bind);
    println!("Sign in as (username / password / role):");
    for d in &demo.logins {
        println!(
            "  {:<12} {:<12} {} ({})",
            d.username,
            d.password,
            d.role.title(),
            d.full_name
        );
    }
    println!();
    println!(
        "Every demo account uses the authenticator secret {} (the sign-in page also shows the \
         current code).",
        crate::demo::DEMO_TOTP_SECRET
    );
    println!();
    let app = app.with_demo(demo.logins, crate::demo::demo_totp());
    crate::server::serve_on(app, listener).await
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
