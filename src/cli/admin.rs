//! `bridgeway admin`: accounts and API tokens from the server's console.

use super::open::{open, DbArgs};
use crate::app::access::auth::{self, TokenRequest};
use crate::app::access::users::{self, Creator, UserInput};
use crate::domain::access::users::{Role, TokenScope};
use anyhow::Context;
use clap::Subcommand;
use std::io::Read;
use std::path::Path;

#[derive(Subcommand)]
pub enum AdminCommand {
    /// Create a staff account; the password is read from standard input.
    CreateUser {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long)]
        username: String,
        /// admin, supervisor, officer, provider, court or auditor.
        #[arg(long)]
        role: Role,
        #[arg(long)]
        full_name: Option<String>,
        /// Username of the supervisor this officer reports to.
        #[arg(long)]
        supervisor: Option<String>,
        /// The court a court liaison works for.
        #[arg(long)]
        court: Option<String>,
    },
    /// Unlock an account locked after failed sign-ins.
    Unlock {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long)]
        username: String,
    },
    /// Create an API token and print it once.
    CreateToken {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long)]
        username: String,
        /// What the token is for.
        #[arg(long, default_value = "api")]
        name: String,
        /// read, write or admin (admin only for an administrator).
        #[arg(long, default_value = "read")]
        scope: String,
        /// Days until the token expires (1 to 365).
        #[arg(long, default_value_t = 90)]
        expires_in_days: i64,
    },
}

impl clap::ValueEnum for Role {
    fn value_variants<'a>() -> &'a [Self] {
        Role::all()
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.label()))
    }
}

pub async fn run(config: Option<&Path>, command: AdminCommand) -> anyhow::Result<()> {
    match command {
        AdminCommand::CreateUser {
            db,
            username,
            role,
            full_name,
            supervisor,
            court,
        } => {
            let app = open(&db.settings(config)?).await?;
            let mut password = String::new();
            std::io::stdin()
                .read_to_string(&mut password)
                .context("reading the password from standard input")?;
            let password = password.trim_end_matches(['\r', '\n']).to_owned();
            let input = UserInput {
                full_name: full_name.unwrap_or_else(|| username.clone()).into(),
                username,
                role,
                password,
                supervisor,
                court: court.map(Into::into),
            };
            let user = users::create(&app, Creator::Console, input).await?;
            println!("created {} ({})", user.username, user.role.title());
        }
        AdminCommand::Unlock { db, username } => {
            let app = open(&db.settings(config)?).await?;
            auth::unlock(&app, None, &username).await?;
            println!("unlocked {username}");
        }
        AdminCommand::CreateToken {
            db,
            username,
            name,
            scope,
            expires_in_days,
        } => {
            let scope: TokenScope = scope.parse().context("--scope")?;
            let app = open(&db.settings(config)?).await?;
            let request = TokenRequest {
                name: name.into(),
                scope,
                expires_in_days: expires_in_days.into(),
            };
            let issued = auth::create_token(&app, None, &username, request).await?;
            println!("{}", issued.token.expose());
            eprintln!(
                "This {} token expires {} and is shown once. Send it as: Authorization: Bearer \
                 <token>",
                scope.label(),
                issued.expires_at
            );
        }
    }
    Ok(())
}
