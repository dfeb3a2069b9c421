//! Settings: defaults, then an optional TOML file, then `BRIDGEWAY_*`
//! environment variables and command-line options.

use crate::domain::assessments::recommendation::LevelMap;
use crate::domain::casework::drug_tests::Panel;
use crate::domain::casework::supervision::{ContactStandard, SupervisionLevel};
use anyhow::Context;
use chrono_tz::Tz;
use secrecy::SecretString;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// Values an agency may record for equity reporting. Defaults follow the
/// U.S. OMB race and ethnicity categories.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Demographics {
    pub race: Vec<String>,
    pub ethnicity: Vec<String>,
    pub sex: Vec<String>,
}

impl Default for Demographics {
    fn default() -> Self {
        let list = |items: &[&str]| items.iter().map(|s| (*s).to_owned()).collect();
        Self {
            race: list(&[
                "American Indian or Alaska Native",
                "Asian",
                "Black or African American",
                "Native Hawaiian or Other Pacific Islander",
                "White",
                "Two or more races",
                "Unknown",
            ]),
            ethnicity: list(&["Hispanic or Latino", "Not Hispanic or Latino", "Unknown"]),
            sex: list(&["Female", "Male", "Unknown"]),
        }
    }
}

/// A certificate chain and its private key, both PEM.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct TlsFiles {
    pub certificate: PathBuf,
    pub private_key: PathBuf,
}

/// Six years: HIPAA's retention for security records (the database refuses
/// to purge anything younger, whatever the settings say).
pub const MIN_AUDIT_RETENTION_DAYS: i64 = 2190;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    /// Address to listen on.
    pub bind: String,
    /// Serve HTTPS (TLS 1.2 and 1.3) with this certificate and key.
    pub tls: Option<TlsFiles>,
    /// Set when a TLS-terminating proxy serves Bridgeway's pages: cookies are
    /// then marked Secure and HSTS is sent, as with `tls`.
    pub behind_tls_proxy: bool,
    /// Proxies (addresses or networks, `10.0.0.0/8`) whose `X-Forwarded-For`
    /// is believed: a request they pass on is from the address they name.
    /// Nobody else's is, so a client cannot choose the address its sign-in
    /// attempts and audit events are counted under.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// `sqlite://file.db` or `postgres://user@host/db`; each command has its own default.
    pub database_url: Option<String>,
    /// A session unused this long must sign in again.
    pub session_idle_minutes: i64,
    /// A session ends this long after sign-in, used or not.
    pub session_max_hours: i64,
    /// A locked account unlocks by itself after this many minutes; by default
    /// only an administrator unlocks it.
    pub lockout_auto_unlock_minutes: Option<i64>,
    /// An account not signed in to for this many days is disabled at its next
    /// sign-in attempt until an administrator re-enables it.
    pub inactive_account_days: i64,
    /// The field-encryption key file (see `bridgeway keys`); the
    /// `BRIDGEWAY_KEYS` environment variable, holding the same text, wins. A
    /// SQLite database without either keeps its keys in `<database>.keys`.
    pub key_file: Option<PathBuf>,
    /// Audit events older than this may be purged (`bridgeway audit purge`);
    /// 7 years by default, never under 6 (HIPAA; CJIS asks 1).
    pub audit_retention_days: i64,
    /// While serving, append a signed checkpoint of the audit chain to this
    /// file (keep it off the database's machine or back it up apart).
    pub audit_checkpoint_file: Option<PathBuf>,
    /// How often the server writes a checkpoint, when a file is set.
    pub audit_checkpoint_minutes: u64,
    /// The agency's time zone (IANA name): appointment times, weekly series
    /// and calendar months follow it.
    #[serde(deserialize_with = "zone_name")]
    pub timezone: Tz,
    /// Contacts a month each supervision level asks for.
    pub contact_standards: ContactStandards,
    /// When the alert rules fire.
    pub alerts: AlertSettings,
    /// Free space on the SQLite database's disk: when to warn, and when to
    /// say not ready.
    pub disk: DiskSettings,
    /// How long clients may take, and how many may be connected at once.
    pub http: HttpSettings,
    /// Case notes: the risk lexicon.
    pub notes: NoteSettings,
    /// Drug tests: the panels the test form offers.
    pub drug_tests: DrugTestSettings,
    /// Reminders to participants: when they go out and how they sign.
    pub reminders: ReminderSettings,
    /// Assessments: the supervision level each risk level recommends, and
    /// the reasons an assessor may give for proposing another level.
    pub assessments: AssessmentSettings,
    /// The SMS gateway (Twilio or a provider with the same API); no texts without it.
    pub sms: Option<SmsSettings>,
    /// The SMTP server for e-mail; no e-mail without it.
    pub email: Option<EmailSettings>,
    pub demographics: Demographics,
}

/// The agency's drug-test panels, offered by the test form so that an
/// officer picks a panel rather than typing its substances.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct DrugTestSettings {
    /// The first is the form's default.
    pub panels: Vec<Panel>,
}

impl Default for DrugTestSettings {
    fn default() -> Self {
        Self {
            panels: Panel::common(),
        }
    }
}

impl DrugTestSettings {
    /// The panel named `name`, if the agency has one.
    pub fn named(&self, name: &str) -> Option<&Panel> {
        self.panels.iter().find(|p| p.name == name)
    }
}

/// How assessments lead to a supervision level.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct AssessmentSettings {
    /// The supervision level each risk level an instrument names
    /// recommends (`very_high = "high"`); a level not named recommends none.
    pub supervision: LevelMap,
    /// The reasons an assessor picks from when proposing another level.
    pub override_reasons: Vec<String>,
    /// Days after a case plan is signed that its review is due.
    pub plan_review_days: u32,
}

impl Default for AssessmentSettings {
    fn default() -> Self {
        let supervision = [
            ("low", SupervisionLevel::Low),
            ("moderate", SupervisionLevel::Moderate),
            ("high", SupervisionLevel::High),
            ("very_high", SupervisionLevel::High),
        ];
        let reasons = [
            "The offense or its circumstances",
            "Information the instrument does not weigh",
            "Mental health or disability",
            "Victim safety",
            "Court or prosecutor's direction",
            "Agency policy",
        ];
        Self {
            supervision: supervision
                .into_iter()
                .map(|(risk, level)| (risk.to_owned(), level))
                .collect(),
            override_reasons: reasons.map(String::from).to_vec(),
            plan_review_days: 90,
        }
    }
}

impl AssessmentSettings {
    /// The supervision level a risk level recommends, if the agency maps it.
    pub fn recommends(&self, risk_level: &str) -> Option<SupervisionLevel> {
        self.supervision.get(risk_level).copied()
    }
}

/// Thresholds of the alert rules.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct AlertSettings {
    /// An active case with no contact with the participant for this many days.
    pub no_contact_days: i64,
    /// A case whose expected end is this many days away.
    pub case_ending_days: i64,
    /// A measurable condition due within this many days and not yet met.
    pub due_soon_days: i64,
    /// How often a running server sweeps for new alerts.
    pub sweep_minutes: u64,
}

impl Default for AlertSettings {
    fn default() -> Self {
        Self {
            no_contact_days: 30,
            case_ending_days: 30,
            due_soon_days: 14,
            sweep_minutes: 15,
        }
    }
}

/// Limits on clients, so that slow or idle connections cannot hold the
/// server (a client that sends a request a byte at a time).
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct HttpSettings {
    /// A client must send a request's headers within this many seconds of
    /// connecting (the TLS handshake included) or of its last answer; an idle
    /// kept-alive connection is closed after as long.
    pub header_seconds: u64,
    /// A request's body must have arrived and its answer be ready within
    /// this many seconds (408 otherwise).
    pub request_seconds: u64,
    /// Connections served at once; one more is closed at once.
    pub max_connections: usize,
}

impl Default for HttpSettings {
    fn default() -> Self {
        Self {
            header_seconds: 10,
            request_seconds: 120,
            max_connections: 4096,
        }
    }
}

/// Free space on the disk that holds the SQLite database (PostgreSQL's
/// disk is its server's to watch).
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct DiskSettings {
    /// Below this many MiB free, the server logs a warning every few minutes
    /// and administrators see it on their pages.
    pub warn_below_mb: u64,
    /// Below this many MiB free, `/readyz` answers not ready: writes are about
    /// to fail (and answer 503 when they do).
    pub not_ready_below_mb: u64,
}

impl Default for DiskSettings {
    fn default() -> Self {
        Self {
            warn_below_mb: 1024,
            not_ready_below_mb: 16,
        }
    }
}

/// When reminders go out and how they name the agency.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct ReminderSettings {
    /// Remind this many days before an appointment, court date or due date.
    pub days_before: Vec<u32>,
    /// Also remind on the morning of the day, at this local time (`HH:MM`);
    /// empty for none. Due dates are reminded at this time too (08:00 if empty).
    pub morning_of: String,
    /// No reminder goes out between these local times (`HH:MM`, across
    /// midnight if `quiet_from` is later); one falling inside waits until
    /// `quiet_until`. Both empty: none.
    pub quiet_from: String,
    pub quiet_until: String,
    /// Text or e-mail the participant after a missed appointment.
    pub missed_follow_up: bool,
    /// Text or e-mail the participant when their appointments are moved or
    /// cancelled: one, a series, or all those ahead when a suspension or an
    /// ending of their case calls them off.
    pub tell_called_off: bool,
    /// How messages sign: the agency's name and the number to call.
    pub agency_name: String,
    pub agency_phone: String,
    /// How often a running server plans and sends what is due.
    pub poll_seconds: u64,
}

impl Default for ReminderSettings {
    fn default() -> Self {
        Self {
            days_before: vec![3, 1],
            morning_of: "08:00".into(),
            quiet_from: "21:00".into(),
            quiet_until: "08:00".into(),
            missed_follow_up: true,
            tell_called_off: true,
            agency_name: "Community Supervision".into(),
            agency_phone: "the number on your paperwork".into(),
            poll_seconds: 30,
        }
    }
}

impl ReminderSettings {
    /// The morning reminder's time, if there is one (checked at load).
    pub fn morning(&self) -> Option<chrono::NaiveTime> {
        local_time(&self.morning_of)
    }

    /// The quiet hours, if set (checked at load).
    pub fn quiet(&self) -> Option<crate::domain::outreach::messages::QuietHours> {
        Some(crate::domain::outreach::messages::QuietHours {
            from: local_time(&self.quiet_from)?,
            until: local_time(&self.quiet_until)?,
        })
    }
}

fn local_time(text: &str) -> Option<chrono::NaiveTime> {
    chrono::NaiveTime::parse_from_str(text, "%H:%M").ok()
}

/// A Twilio-compatible SMS gateway: messages are posted to
/// `{base_url}/2010-04-01/Accounts/{account_sid}/Messages.json`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmsSettings {
    /// e.g. `https://api.twilio.com`.
    pub base_url: String,
    pub account_sid: String,
    /// `Debug` shows it as redacted; read it with `expose_secret()`.
    pub auth_token: SecretString,
    /// The agency's sending number (E.164).
    pub from: String,
    /// Where the gateway reaches Bridgeway (e.g. `https://bridgeway.example.gov`),
    /// for delivery reports and replies; webhook signatures are checked against it.
    pub public_url: Option<String>,
}

/// How the SMTP connection is secured.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum SmtpSecurity {
    /// Plain SMTP: only for a relay on the same machine or a test server.
    None,
    #[default]
    Starttls,
    Tls,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmailSettings {
    pub host: String,
    pub port: u16,
    #[serde(default)]
    pub security: SmtpSecurity,
    pub username: Option<String>,
    /// `Debug` shows it as redacted; read it with `expose_secret()`.
    pub password: Option<SecretString>,
    /// The From address, e.g. `Probation <reminders@county.example.gov>`.
    pub from: String,
}

/// Case notes.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct NoteSettings {
    /// Words and phrases that flag a signed note for supervisor review; they
    /// match by English stem ("relapse" also finds "relapsed", "relapsing").
    pub lexicon: Vec<String>,
}

impl Default for NoteSettings {
    fn default() -> Self {
        let words = [
            "relapse",
            "using again",
            "overdose",
            "weapon",
            "gun",
            "knife",
            "threat",
            "assault",
            "violence",
            "eviction",
            "homeless",
            "lost job",
            "fired",
            "suicide",
            "suicidal",
            "self-harm",
            "abscond",
            "warrant",
        ];
        Self {
            lexicon: words.map(String::from).to_vec(),
        }
    }
}

/// The agency's contact standard per supervision level.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ContactStandards {
    pub high: ContactStandard,
    pub moderate: ContactStandard,
    pub low: ContactStandard,
    pub administrative: ContactStandard,
}

impl Default for ContactStandards {
    fn default() -> Self {
        let standard = |contacts, home_visits| ContactStandard {
            contacts,
            home_visits,
        };
        Self {
            high: standard(4, 1),
            moderate: standard(2, 0),
            low: standard(1, 0),
            administrative: standard(0, 0),
        }
    }
}

impl ContactStandards {
    pub fn for_level(&self, level: SupervisionLevel) -> ContactStandard {
        match level {
            SupervisionLevel::High => self.high,
            SupervisionLevel::Moderate => self.moderate,
            SupervisionLevel::Low => self.low,
            SupervisionLevel::Administrative => self.administrative,
        }
    }
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            bind: "127.0.0.1:8080".into(),
            tls: None,
            behind_tls_proxy: false,
            trusted_proxies: Vec::new(),
            database_url: None,
            session_idle_minutes: 30,
            session_max_hours: 12,
            lockout_auto_unlock_minutes: None,
            inactive_account_days: 90,
            key_file: None,
            audit_retention_days: 2557,
            audit_checkpoint_file: None,
            audit_checkpoint_minutes: 60,
            timezone: chrono_tz::America::Chicago,
            contact_standards: ContactStandards::default(),
            alerts: AlertSettings::default(),
            disk: DiskSettings::default(),
            http: HttpSettings::default(),
            notes: NoteSettings::default(),
            drug_tests: DrugTestSettings::default(),
            reminders: ReminderSettings::default(),
            assessments: AssessmentSettings::default(),
            sms: None,
            email: None,
            demographics: Demographics::default(),
        }
    }
}

/// An IANA time zone name, refused with an example when unknown.
fn zone_name<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Tz, D::Error> {
    let name = String::deserialize(d)?;
    name.parse().map_err(|_| {
        serde::de::Error::custom(format!(
            "'{name}' is not an IANA time zone name (e.g. America/Chicago)"
        ))
    })
}

impl Settings {
    /// The agency's time zone.
    pub fn zone(&self) -> Tz {
        self.timezone
    }

    /// The agency's calendar date at an instant.
    pub fn date_at(&self, at: chrono::DateTime<chrono::Utc>) -> chrono::NaiveDate {
        at.with_timezone(&self.zone()).date_naive()
    }

    /// Whether browsers reach Bridgeway over HTTPS (directly or through a proxy).
    pub fn https(&self) -> bool {
        self.tls.is_some() || self.behind_tls_proxy
    }

    /// Reads the TOML file if given, over the defaults.
    pub fn load(file: Option<&Path>) -> anyhow::Result<Self> {
        let settings: Self = match file {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("reading {}", path.display()))?;
                toml::from_str(&text)
                    .with_context(|| format!("reading settings from {}", path.display()))?
            }
            None => Self::default(),
        };
        settings.check()?;
        Ok(settings)
    }

    pub fn check(&self) -> anyhow::Result<()> {
        anyhow::ensure!(
            (1..=30).contains(&self.session_idle_minutes),
            "session_idle_minutes must be 1 to 30 (CJIS allows at most 30)"
        );
        anyhow::ensure!(
            (1..=24).contains(&self.session_max_hours),
            "session_max_hours must be 1 to 24"
        );
        anyhow::ensure!(
            self.lockout_auto_unlock_minutes
                .is_none_or(|m| (15..=1440).contains(&m)),
            "lockout_auto_unlock_minutes must be 15 to 1440"
        );
        anyhow::ensure!(
            (30..=365).contains(&self.inactive_account_days),
            "inactive_account_days must be 30 to 365"
        );
        anyhow::ensure!(
            (MIN_AUDIT_RETENTION_DAYS..=36_500).contains(&self.audit_retention_days),
            "audit_retention_days must be {MIN_AUDIT_RETENTION_DAYS} (six years, HIPAA) to 36500"
        );
        anyhow::ensure!(
            (1..=1440).contains(&self.audit_checkpoint_minutes),
            "audit_checkpoint_minutes must be 1 to 1440"
        );
        let a = &self.alerts;
        anyhow::ensure!(
            [a.no_contact_days, a.case_ending_days, a.due_soon_days]
                .iter()
                .all(|d| (1..=365).contains(d)),
            "the [alerts] day counts must be 1 to 365"
        );
        anyhow::ensure!(
            (1..=1440).contains(&a.sweep_minutes),
            "alerts.sweep_minutes must be 1 to 1440"
        );
        anyhow::ensure!(
            (1..=300).contains(&self.http.header_seconds)
                && (1..=3600).contains(&self.http.request_seconds)
                && (16..=1_000_000).contains(&self.http.max_connections),
            "http.header_seconds must be 1 to 300, http.request_seconds 1 to 3600 and \
             http.max_connections 16 to 1000000"
        );
        anyhow::ensure!(
            self.disk.not_ready_below_mb < self.disk.warn_below_mb,
            "disk.not_ready_below_mb must be below disk.warn_below_mb (the warning comes first)"
        );
        anyhow::ensure!(
            self.notes
                .lexicon
                .iter()
                .all(|w| w.chars().any(char::is_alphanumeric) && w.len() <= 60),
            "every notes.lexicon entry must hold a word and be at most 60 characters"
        );
        Panel::check_all(&self.drug_tests.panels)
            .map_err(|e| anyhow::anyhow!("[drug_tests] panels: {e}"))?;
        let r = &self.reminders;
        anyhow::ensure!(
            r.days_before.iter().all(|d| (1..=30).contains(d)),
            "reminders.days_before must hold days from 1 to 30"
        );
        anyhow::ensure!(
            r.morning_of.is_empty() || r.morning().is_some(),
            "reminders.morning_of must be a time such as 08:00, or empty"
        );
        anyhow::ensure!(
            (r.quiet_from.is_empty() && r.quiet_until.is_empty()) || r.quiet().is_some(),
            "reminders.quiet_from and quiet_until must both be times such as 21:00 and 08:00, or \
             both empty"
        );
        anyhow::ensure!(
            (5..=3600).contains(&r.poll_seconds),
            "reminders.poll_seconds must be 5 to 3600"
        );
        if let Some(sms) = &self.sms {
            anyhow::ensure!(
                sms.base_url.starts_with("https://")
                    || sms.base_url.starts_with("http://127.0.0.1"),
                "sms.base_url must be https:// (or http://127.0.0.1 for a local stand-in)"
            );
            anyhow::ensure!(
                crate::domain::outreach::messages::e164(&sms.from).is_some(),
                "sms.from must be a phone number in E.164 form, e.g. +15550100"
            );
        }
        if let Some(email) = &self.email {
            anyhow::ensure!(
                email.from.parse::<lettre::message::Mailbox>().is_ok(),
                "email.from '{}' is not an e-mail address",
                email.from
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gateway_credentials_do_not_debug_print() {
        let s: Settings = toml::from_str(
            "[sms]\nbase_url = 'https://sms.example'\naccount_sid = 'AC1'\nauth_token = \
             'tok-s3cret'\nfrom = '+15550100'\n[email]\nhost = 'mail.example'\nport = \
             587\nusername = 'u'\npassword = 'pw-s3cret'\nfrom = 'a@example.gov'",
        )
        .unwrap();
        let printed = format!("{s:?}");
        assert!(printed.contains("AC1"), "the rest is shown: {printed}");
        assert!(!printed.contains("s3cret"), "{printed}");
    }

    #[test]
    fn toml_overrides_defaults_and_unknown_keys_are_refused() {
        let s: Settings = toml::from_str("session_idle_minutes = 15").unwrap();
        assert_eq!(s.session_idle_minutes, 15);
        assert_eq!(s.bind, "127.0.0.1:8080");
        assert!(toml::from_str::<Settings>("sesion_idle_minutes = 15").is_err());
        let zone = toml::from_str::<Settings>("timezone = 'America/Chicgo'").unwrap_err();
        assert!(
            zone.to_string()
                .contains("'America/Chicgo' is not an IANA time zone name"),
            "{zone}"
        );
        let too_long = Settings {
            session_idle_minutes: 60,
            ..Settings::default()
        };
        assert!(too_long.check().is_err());
    }

    #[test]
    fn an_agency_sets_its_own_panels() {
        let s: Settings = toml::from_str(
            "[[drug_tests.panels]]\nname = 'EtG'\nsubstances = ['Ethyl glucuronide']",
        )
        .unwrap();
        assert!(s.check().is_ok());
        assert_eq!(
            s.drug_tests.panels.len(),
            1,
            "the agency's list replaces the common one"
        );
        assert!(s.drug_tests.named("EtG").is_some());
        assert!(s.drug_tests.named("10-panel").is_none());
        let twice: Settings = toml::from_str(
            "[[drug_tests.panels]]\nname = 'hair'\nsubstances = ['Cocaine', 'Cocaine']",
        )
        .unwrap();
        let refused = twice.check().unwrap_err().to_string();
        assert!(
            refused.contains("panel 'hair': each substance is listed once"),
            "{refused}"
        );
    }

    #[test]
    fn today_is_the_agency_calendar_date() {
        let chicago = Settings::default();
        let late_evening = "2026-11-30T03:30:00Z".parse().unwrap();
        assert_eq!(chicago.date_at(late_evening).to_string(), "2026-11-29");
        // Twenty-five hours apart: these two never share a date.
        let east: Settings = toml::from_str("timezone = 'Pacific/Kiritimati'").unwrap();
        let west: Settings = toml::from_str("timezone = 'Pacific/Pago_Pago'").unwrap();
        assert_eq!(
            east.date_at(late_evening) - west.date_at(late_evening),
            chrono::Duration::days(1)
        );
    }
}
