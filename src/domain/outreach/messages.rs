//! Messages to participants: reminders and follow-ups by text and e-mail,
//! in the person's language, and the replies they send. The wording names
//! no program, treatment or charge: a text can be read by anyone holding
//! the phone (42 CFR Part 2 forbids disclosing treatment without consent).

use crate::domain::people::Language;
use crate::labelled_enum;
use chrono::Duration;
use hmac::{Hmac, Mac};

labelled_enum! {
    pub enum Channel ("channel") {
        Sms => ("sms", "Text message"),
        Email => ("email", "E-mail"),
    }
}

labelled_enum! {
    pub enum Purpose ("message purpose") {
        AppointmentReminder => ("appointment_reminder", "Appointment reminder"),
        CourtReminder => ("court_reminder", "Court date reminder"),
        DueReminder => ("due_reminder", "Requirement due reminder"),
        MissedFollowUp => ("missed_follow_up", "Missed appointment follow-up"),
        CalledOff => ("called_off", "Appointments called off"),
        Changed => ("changed", "Appointment moved or cancelled"),
        Reply => ("reply", "Reply"),
        Inbound => ("inbound", "Message from the participant"),
    }
}

impl Purpose {
    /// Messages about what is still ahead, withdrawn when it is called off.
    pub const REMINDERS: &'static [Self] = &[
        Self::AppointmentReminder,
        Self::CourtReminder,
        Self::DueReminder,
        Self::MissedFollowUp,
    ];
}

labelled_enum! {
    pub enum Status ("message status") {
        Queued => ("queued", "Queued"),
        Sending => ("sending", "Sending"),
        Sent => ("sent", "Sent"),
        Delivered => ("delivered", "Delivered"),
        Failed => ("failed", "Failed"),
        Cancelled => ("cancelled", "Cancelled"),
        Received => ("received", "Received"),
    }
}

/// How many times a message is tried before it fails for good.
pub const MAX_ATTEMPTS: i32 = 6;

/// The wait before attempt `attempts + 1`: 1, 4, 16, 64 minutes, then 4 hours.
pub fn backoff(attempts: i32) -> Duration {
    let minutes = 4_i64.saturating_pow(attempts.saturating_sub(1).clamp(0, 10) as u32);
    Duration::minutes(minutes.min(240))
}

/// Local hours when no reminder goes out (e.g. 21:00 to 08:00, across
/// midnight); a reminder falling inside them waits until they end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuietHours {
    pub from: chrono::NaiveTime,
    pub until: chrono::NaiveTime,
}

impl QuietHours {
    pub fn contains(&self, t: chrono::NaiveTime) -> bool {
        if self.from <= self.until {
            t >= self.from && t < self.until
        } else {
            t >= self.from || t < self.until
        }
    }

    /// The first local time at or after `at` outside the quiet hours.
    pub fn next_allowed(&self, at: chrono::NaiveDateTime) -> chrono::NaiveDateTime {
        if !self.contains(at.time()) {
            return at;
        }
        let end = at.date().and_time(self.until);
        if end > at {
            end
        } else {
            end + Duration::days(1)
        }
    }
}

/// A phone number in E.164 form (`+15551234567`); ten digits are taken as
/// North American. `None` when it cannot be one.
pub fn e164(phone: &str) -> Option<String> {
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    let international = phone.trim_start().starts_with('+');
    match (international, digits.len()) {
        (false, 10) => Some(format!("+1{digits}")),
        (false, 11) if digits.starts_with('1') => Some(format!("+{digits}")),
        (true, 8..=15) => Some(format!("+{digits}")),
        _ => None,
    }
}

/// What an inbound text asks for (carrier keywords, English and Spanish).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keyword {
    Stop,
    Start,
    Help,
}

pub fn keyword(body: &str) -> Option<Keyword> {
    let word = body.trim().trim_end_matches(['.', '!']).to_uppercase();
    match word.as_str() {
        "STOP" | "STOPALL" | "UNSUBSCRIBE" | "CANCEL" | "END" | "QUIT" | "PARAR" | "ALTO"
        | "CANCELAR" | "DETENER" => Some(Keyword::Stop),
        "START" | "UNSTOP" | "YES" | "COMENZAR" | "INICIAR" | "SI" | "SÍ" => Some(Keyword::Start),
        "HELP" | "INFO" | "AYUDA" => Some(Keyword::Help),
        _ => None,
    }
}

/// The agency as messages name it.
#[derive(Debug, Clone)]
pub struct Sender<'a> {
    pub agency: &'a str,
    pub phone: &'a str,
}

/// A message's words: a subject (for e-mail) and a body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wording {
    pub subject: String,
    pub body: String,
}

/// What a message is about, with times already in the agency's zone.
#[derive(Debug, Clone)]
pub enum About<'a> {
    Appointment {
        court: bool,
        when: chrono::NaiveDateTime,
        place: Option<&'a str>,
    },
    Due {
        on: chrono::NaiveDate,
    },
    Missed {
        when: chrono::NaiveDateTime,
    },
    /// An appointment (and the `later` occurrences of its series after it)
    /// moved from `was` to `when`.
    Moved {
        was: chrono::NaiveDateTime,
        when: chrono::NaiveDateTime,
        place: Option<&'a str>,
        later: usize,
    },
    /// An appointment at `when` (and the `later` occurrences of its series
    /// after it) is cancelled.
    Cancelled {
        when: chrono::NaiveDateTime,
        later: usize,
    },
    /// The case was suspended or ended: `count` appointments ahead are
    /// called off (court dates are the court's and stay).
    CalledOff {
        count: u64,
    },
    Keyword(Keyword),
}

const EN_MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const ES_MONTHS: [&str; 12] = [
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
];
const EN_DAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
const ES_DAYS: [&str; 7] = [
    "lunes",
    "martes",
    "miércoles",
    "jueves",
    "viernes",
    "sábado",
    "domingo",
];

#[allow(
    clippy::indexing_slicing,
    reason = "a weekday (0 to 6) and a month (0 to 11) index arrays of 7 and 12 names"
)]
fn date(lang: Language, d: chrono::NaiveDate) -> String {
    use chrono::Datelike as _;
    let day = d.weekday().num_days_from_monday() as usize;
    let month = d.month0() as usize;
    match lang {
        Language::English => format!("{} {} {}", EN_DAYS[day], EN_MONTHS[month], d.day()),
        Language::Spanish => format!("{} {} de {}", ES_DAYS[day], d.day(), ES_MONTHS[month]),
    }
}

fn time(lang: Language, t: chrono::NaiveDateTime) -> String {
    match lang {
        Language::English => t.format("%-I:%M %p").to_string(),
        Language::Spanish => t.format("%H:%M").to_string(),
    }
}

/// The words of a message in `lang`.
pub fn wording(lang: Language, from: &Sender<'_>, about: &About<'_>) -> Wording {
    let Sender { agency, phone } = *from;
    let en = lang == Language::English;
    let (subject, body) = match *about {
        About::Appointment { court, when, place } => {
            let what = match (court, en) {
                (true, true) => "court date",
                (true, false) => "fecha de corte",
                (false, true) => "appointment",
                (false, false) => "cita",
            };
            let at = place.map(|p| {
                if en {
                    format!(" at {p}")
                } else {
                    format!(" en {p}")
                }
            });
            let at = at.unwrap_or_default();
            let (d, t) = (date(lang, when.date()), time(lang, when));
            if en {
                (
                    format!("Reminder: {what} on {d}"),
                    format!(
                        "{agency}: reminder of your {what} on {d} at {t}{at}. Questions: {phone}. \
                         Reply STOP to stop texts."
                    ),
                )
            } else {
                (
                    format!("Recordatorio: {what} el {d}"),
                    format!(
                        "{agency}: le recordamos su {what} el {d} a las {t}{at}. Preguntas: \
                         {phone}. Responda PARAR para no recibir mensajes."
                    ),
                )
            }
        }
        About::Due { on } => {
            let d = date(lang, on);
            if en {
                (
                    format!("Reminder: a requirement is due on {d}"),
                    format!(
                        "{agency}: a requirement of your case is due on {d}. Questions: {phone}. \
                         Reply STOP to stop texts."
                    ),
                )
            } else {
                (
                    format!("Recordatorio: un requisito vence el {d}"),
                    format!(
                        "{agency}: un requisito de su caso vence el {d}. Preguntas: {phone}. \
                         Responda PARAR para no recibir mensajes."
                    ),
                )
            }
        }
        About::Missed { when } => {
            let d = date(lang, when.date());
            if en {
                (
                    "You missed an appointment".to_owned(),
                    format!(
                        "{agency}: you missed your appointment on {d}. Please call {phone} today \
                         to reschedule."
                    ),
                )
            } else {
                (
                    "Faltó a una cita".to_owned(),
                    format!(
                        "{agency}: usted faltó a su cita del {d}. Llame hoy al {phone} para \
                         reprogramarla."
                    ),
                )
            }
        }
        About::Moved {
            was,
            when,
            place,
            later,
        } => {
            let (od, ot) = (date(lang, was.date()), time(lang, was));
            let (d, t) = (date(lang, when.date()), time(lang, when));
            let at = place.map_or_else(String::new, |p| {
                if en {
                    format!(" at {p}")
                } else {
                    format!(" en {p}")
                }
            });
            match (en, later) {
                (true, 0) => (
                    "Your appointment has moved".to_owned(),
                    format!(
                        "{agency}: your appointment on {od} at {ot} has moved to {d} at \
                         {t}{at}. Questions: {phone}."
                    ),
                ),
                (true, _) => (
                    "Your appointments have moved".to_owned(),
                    format!(
                        "{agency}: your weekly appointments from {od} have moved: the next is \
                         {d} at {t}{at}, then weekly. Questions: {phone}."
                    ),
                ),
                (false, 0) => (
                    "Su cita cambió".to_owned(),
                    format!(
                        "{agency}: su cita del {od} a las {ot} cambió al {d} a las {t}{at}. \
                         Preguntas: {phone}."
                    ),
                ),
                (false, _) => (
                    "Sus citas cambiaron".to_owned(),
                    format!(
                        "{agency}: sus citas semanales desde el {od} cambiaron: la próxima es \
                         el {d} a las {t}{at}, y luego cada semana. Preguntas: {phone}."
                    ),
                ),
            }
        }
        About::Cancelled { when, later } => {
            let (d, t) = (date(lang, when.date()), time(lang, when));
            match (en, later) {
                (true, 0) => (
                    "Appointment cancelled".to_owned(),
                    format!(
                        "{agency}: your appointment on {d} at {t} is cancelled. Questions: \
                         {phone}."
                    ),
                ),
                (true, _) => (
                    "Appointments cancelled".to_owned(),
                    format!(
                        "{agency}: your weekly appointments from {d} at {t} are cancelled. \
                         Questions: {phone}."
                    ),
                ),
                (false, 0) => (
                    "Cita cancelada".to_owned(),
                    format!(
                        "{agency}: su cita del {d} a las {t} está cancelada. Preguntas: {phone}."
                    ),
                ),
                (false, _) => (
                    "Citas canceladas".to_owned(),
                    format!(
                        "{agency}: sus citas semanales desde el {d} a las {t} están canceladas. \
                         Preguntas: {phone}."
                    ),
                ),
            }
        }
        About::CalledOff { count } => {
            if en {
                (
                    "Your appointments are cancelled".to_owned(),
                    format!(
                        "{agency}: your {count} upcoming appointment{} with us {} cancelled. \
                         Court dates stay as the court set them. Questions: {phone}.",
                        if count == 1 { "" } else { "s" },
                        if count == 1 { "is" } else { "are" }
                    ),
                )
            } else {
                (
                    "Sus citas están canceladas".to_owned(),
                    format!(
                        "{agency}: {} con nosotros {} cancelada{}. Las fechas de corte no \
                         cambian. Preguntas: {phone}.",
                        if count == 1 {
                            "su próxima cita".to_owned()
                        } else {
                            format!("sus {count} próximas citas")
                        },
                        if count == 1 { "está" } else { "están" },
                        if count == 1 { "" } else { "s" }
                    ),
                )
            }
        }
        About::Keyword(Keyword::Stop) => (
            String::new(),
            if en {
                format!("{agency}: you will get no more texts. Reply START to get reminders again.")
            } else {
                format!(
                    "{agency}: no recibirá más mensajes. Responda COMENZAR para volver a recibir \
                     recordatorios."
                )
            },
        ),
        About::Keyword(Keyword::Start) => (
            String::new(),
            if en {
                format!("{agency}: you will get text reminders again. Reply STOP to stop.")
            } else {
                format!(
                    "{agency}: volverá a recibir recordatorios. Responda PARAR para dejar de \
                     recibirlos."
                )
            },
        ),
        About::Keyword(Keyword::Help) => (
            String::new(),
            if en {
                format!(
                    "{agency} reminders of appointments and court dates. Help: {phone}. Reply STOP \
                     to stop texts."
                )
            } else {
                format!(
                    "{agency}: recordatorios de citas y fechas de corte. Ayuda: {phone}. Responda \
                     PARAR para no recibir mensajes."
                )
            },
        ),
    };
    Wording { subject, body }
}

/// The keyed digest a Twilio-compatible gateway signs a webhook with:
/// HMAC-SHA1 under the auth token of the URL followed by each parameter's
/// name and value, sorted by name.
#[allow(clippy::expect_used, reason = "HMAC accepts a key of any length")]
fn webhook_mac(auth_token: &str, url: &str, params: &[(String, String)]) -> Hmac<sha1::Sha1> {
    let mut sorted: Vec<&(String, String)> = params.iter().collect();
    sorted.sort();
    let mut mac = <Hmac<sha1::Sha1> as Mac>::new_from_slice(auth_token.as_bytes())
        .expect("HMAC takes any key length");
    mac.update(url.as_bytes());
    for (k, v) in sorted {
        mac.update(k.as_bytes());
        mac.update(v.as_bytes());
    }
    mac
}

/// The signature (`X-Twilio-Signature`, base64) of a webhook.
pub fn webhook_signature(auth_token: &str, url: &str, params: &[(String, String)]) -> String {
    use base64::Engine as _;
    let digest = webhook_mac(auth_token, url, params).finalize().into_bytes();
    base64::engine::general_purpose::STANDARD.encode(digest)
}

/// Whether `given` is the webhook's signature (compared in constant time).
pub fn webhook_signed(
    auth_token: &str,
    url: &str,
    params: &[(String, String)],
    given: &str,
) -> bool {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD
        .decode(given)
        .is_ok_and(|bytes| {
            webhook_mac(auth_token, url, params)
                .verify_slice(&bytes)
                .is_ok()
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn numbers_become_e164() {
        assert_eq!(e164("(555) 010-4477").as_deref(), Some("+15550104477"));
        assert_eq!(e164("1-555-010-4477").as_deref(), Some("+15550104477"));
        assert_eq!(e164("+52 55 1234 5678").as_deref(), Some("+525512345678"));
        assert_eq!(e164("010-4477"), None);
    }

    #[test]
    fn reminders_wait_out_the_quiet_hours() {
        let t = |h, m| chrono::NaiveTime::from_hms_opt(h, m, 0).unwrap();
        let day = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
        let night = QuietHours {
            from: t(21, 0),
            until: t(8, 0),
        };
        assert_eq!(
            night.next_allowed(day.and_time(t(23, 30))),
            (day + Duration::days(1)).and_time(t(8, 0))
        );
        assert_eq!(
            night.next_allowed(day.and_time(t(6, 15))),
            day.and_time(t(8, 0))
        );
        assert_eq!(
            night.next_allowed(day.and_time(t(14, 0))),
            day.and_time(t(14, 0))
        );
        let lunch = QuietHours {
            from: t(12, 0),
            until: t(13, 0),
        };
        assert_eq!(
            lunch.next_allowed(day.and_time(t(12, 30))),
            day.and_time(t(13, 0))
        );
        assert!(!lunch.contains(t(13, 0)));
    }

    #[test]
    fn keywords_in_english_and_spanish() {
        assert_eq!(keyword(" stop "), Some(Keyword::Stop));
        assert_eq!(keyword("Parar."), Some(Keyword::Stop));
        assert_eq!(keyword("COMENZAR"), Some(Keyword::Start));
        assert_eq!(keyword("ayuda"), Some(Keyword::Help));
        assert_eq!(keyword("stop by later?"), None);
    }

    #[test]
    fn back_off_grows_and_is_capped() {
        assert_eq!(backoff(1), Duration::minutes(1));
        assert_eq!(backoff(2), Duration::minutes(4));
        assert_eq!(backoff(4), Duration::minutes(64));
        assert_eq!(backoff(9), Duration::minutes(240));
    }

    #[test]
    fn reminders_are_worded_in_the_persons_language_without_naming_the_program() {
        let from = Sender {
            agency: "County Probation",
            phone: "555-0100",
        };
        let when = NaiveDate::from_ymd_opt(2026, 11, 24)
            .unwrap()
            .and_hms_opt(9, 30, 0)
            .unwrap();
        let about = About::Appointment {
            court: false,
            when,
            place: Some("Main office"),
        };
        let en = wording(Language::English, &from, &about);
        assert_eq!(
            en.body,
            "County Probation: reminder of your appointment on Tuesday November 24 at 9:30 AM at \
             Main office. Questions: 555-0100. Reply STOP to stop texts."
        );
        let es = wording(Language::Spanish, &from, &about);
        assert!(
            es.body.contains("martes 24 de noviembre a las 09:30"),
            "{}",
            es.body
        );
        assert!(es.body.contains("PARAR"));
    }

    #[test]
    fn a_move_names_both_times_and_a_series_says_weekly() {
        let from = Sender {
            agency: "County Probation",
            phone: "555-0100",
        };
        let at = |d, h| {
            NaiveDate::from_ymd_opt(2026, 11, d)
                .unwrap()
                .and_hms_opt(h, 0, 0)
                .unwrap()
        };
        let moved = About::Moved {
            was: at(24, 9),
            when: at(25, 14),
            place: None,
            later: 0,
        };
        assert_eq!(
            wording(Language::English, &from, &moved).body,
            "County Probation: your appointment on Tuesday November 24 at 9:00 AM has moved to \
             Wednesday November 25 at 2:00 PM. Questions: 555-0100."
        );
        let series = About::Moved {
            was: at(24, 9),
            when: at(25, 14),
            place: None,
            later: 3,
        };
        assert!(wording(Language::Spanish, &from, &series)
            .body
            .contains("sus citas semanales desde el martes 24 de noviembre cambiaron"));
        let cancelled = About::Cancelled {
            when: at(24, 9),
            later: 0,
        };
        assert!(wording(Language::English, &from, &cancelled)
            .body
            .contains("your appointment on Tuesday November 24 at 9:00 AM is cancelled"));
    }

    #[test]
    fn webhook_signatures_follow_the_published_example() {
        // Twilio's documented example: this URL, these parameters and the
        // token "12345" sign as "0/KCTR6DLpKmkAf8muzZqo1nDgQ=".
        let params: Vec<(String, String)> = [
            ("CallSid", "CA1234567890ABCDE"),
            ("Caller", "+12349013030"),
            ("Digits", "1234"),
            ("From", "+12349013030"),
            ("To", "+18005551212"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let url = "https://mycompany.com/myapp.php?foo=1&bar=2";
        let published = "0/KCTR6DLpKmkAf8muzZqo1nDgQ=";
        assert_eq!(webhook_signature("12345", url, &params), published);
        assert!(webhook_signed("12345", url, &params, published));
        assert!(!webhook_signed("12346", url, &params, published));
        assert!(!webhook_signed("12345", url, &params[1..], published));
        assert!(!webhook_signed("12345", url, &params, "not base64!"));
    }
}
