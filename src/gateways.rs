//! How messages leave: texts through a Twilio-compatible HTTP gateway,
//! e-mail over SMTP. Each answer is sorted into sent, worth retrying
//! (network trouble, a busy or failing server) or refused for good (a bad
//! number, an unknown mailbox, wrong credentials).

use crate::config::{EmailSettings, SmsSettings, SmtpSecurity};
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use secrecy::ExposeSecret as _;
use std::sync::Arc;
use std::time::Duration;

/// Why a message did not go.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    #[error("{0}")]
    Transient(String),
    #[error("{0}")]
    Permanent(String),
}

/// A Twilio-compatible SMS gateway.
#[derive(Clone)]
pub struct SmsGateway {
    settings: SmsSettings,
    client: reqwest::Client,
}

#[derive(serde::Deserialize)]
struct Created {
    sid: String,
}

impl SmsGateway {
    pub fn new(settings: &SmsSettings) -> anyhow::Result<Self> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let roots = rustls::RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        let tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .with_root_certificates(roots)
            .with_no_client_auth();
        let client = reqwest::Client::builder()
            .use_preconfigured_tls(tls)
            .timeout(Duration::from_secs(20))
            .build()?;
        Ok(Self {
            settings: settings.clone(),
            client,
        })
    }

    /// Sends a text; returns the gateway's id for it.
    pub async fn send(&self, to: &str, body: &str) -> Result<String, SendError> {
        let s = &self.settings;
        let url = format!(
            "{}/2010-04-01/Accounts/{}/Messages.json",
            s.base_url.trim_end_matches('/'),
            s.account_sid
        );
        let callback = s
            .public_url
            .as_ref()
            .map(|u| format!("{}/sms/status", u.trim_end_matches('/')));
        let mut form = vec![("To", to), ("From", s.from.as_str()), ("Body", body)];
        if let Some(cb) = &callback {
            form.push(("StatusCallback", cb));
        }
        let res = self
            .client
            .post(&url)
            .basic_auth(&s.account_sid, Some(s.auth_token.expose_secret()))
            .form(&form)
            .send()
            .await
            .map_err(|e| {
                SendError::Transient(format!("the SMS gateway could not be reached: {e}"))
            })?;
        let status = res.status();
        let text = res.text().await.unwrap_or_default();
        if status.is_success() {
            return serde_json::from_str::<Created>(&text)
                .map(|c| c.sid)
                .map_err(|_| {
                    SendError::Transient(format!(
                        "the SMS gateway answered {status} without a message id"
                    ))
                });
        }
        let detail = format!(
            "the SMS gateway answered {status}: {}",
            text.chars().take(200).collect::<String>()
        );
        if status.is_server_error() || status.as_u16() == 429 {
            Err(SendError::Transient(detail))
        } else {
            Err(SendError::Permanent(detail))
        }
    }
}

/// An SMTP relay.
#[derive(Clone)]
pub struct Mailer {
    from: Mailbox,
    transport: AsyncSmtpTransport<Tokio1Executor>,
}

impl Mailer {
    pub fn new(settings: &EmailSettings) -> anyhow::Result<Self> {
        let builder = match settings.security {
            SmtpSecurity::None => {
                AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&settings.host)
            }
            SmtpSecurity::Starttls => {
                AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&settings.host)?
            }
            SmtpSecurity::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&settings.host)?,
        };
        let builder = builder
            .port(settings.port)
            .timeout(Some(Duration::from_secs(20)));
        let builder = match (&settings.username, &settings.password) {
            (Some(u), Some(p)) => {
                builder.credentials(Credentials::new(u.clone(), p.expose_secret().to_owned()))
            }
            _ => builder,
        };
        Ok(Self {
            from: settings.from.parse()?,
            transport: builder.build(),
        })
    }

    pub async fn send(&self, to: &str, subject: &str, body: &str) -> Result<(), SendError> {
        let to: Mailbox = to
            .parse()
            .map_err(|e| SendError::Permanent(format!("'{to}' is not an e-mail address: {e}")))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .body(body.to_owned())
            .map_err(|e| SendError::Permanent(format!("the message could not be built: {e}")))?;
        match self.transport.send(message).await {
            Ok(_) => Ok(()),
            Err(e) if e.is_permanent() => Err(SendError::Permanent(format!(
                "the mail server refused it: {e}"
            ))),
            Err(e) => Err(SendError::Transient(format!(
                "the mail server could not take it now: {e}"
            ))),
        }
    }
}

/// The configured ways out.
#[derive(Clone, Default)]
pub struct Gateways {
    pub sms: Option<SmsGateway>,
    pub email: Option<Mailer>,
}

impl Gateways {
    pub fn from_settings(settings: &crate::config::Settings) -> anyhow::Result<Self> {
        Ok(Self {
            sms: settings.sms.as_ref().map(SmsGateway::new).transpose()?,
            email: settings.email.as_ref().map(Mailer::new).transpose()?,
        })
    }

    pub fn any(&self) -> bool {
        self.sms.is_some() || self.email.is_some()
    }
}
