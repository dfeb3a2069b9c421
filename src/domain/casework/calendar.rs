//! iCalendar (RFC 5545) text: escaping, line folding and one event.

use chrono::{DateTime, Utc};

/// Escapes a TEXT value (RFC 5545 3.3.11).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// Folds a content line at 75 octets (never inside a UTF-8 character) and ends it with CRLF.
pub fn fold(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + 8);
    let mut width = 0;
    for c in line.chars() {
        if width + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out.push_str("\r\n");
    out
}

fn stamp(at: DateTime<Utc>) -> String {
    at.format("%Y%m%dT%H%M%SZ").to_string()
}

/// One event of a feed.
#[derive(Debug, Clone)]
pub struct Event<'a> {
    pub uid: String,
    pub starts: DateTime<Utc>,
    pub ends: DateTime<Utc>,
    pub summary: &'a str,
    pub location: Option<&'a str>,
    pub status: EventStatus,
    /// Revisions since it was first published (RFC 5545 3.8.7.4): a moved
    /// event comes with a higher one, so calendars take the new time.
    pub sequence: i64,
}

/// Where an event stands (RFC 5545 3.8.1.11).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventStatus {
    /// Ahead as planned, or kept.
    Confirmed,
    /// Called off: a calendar shows it struck out or drops it.
    Cancelled,
    /// Neither: it was to happen and did not (a missed appointment). No
    /// STATUS is written; the summary says what happened.
    Unsettled,
}

impl EventStatus {
    fn property(self) -> Option<&'static str> {
        match self {
            Self::Confirmed => Some("CONFIRMED"),
            Self::Cancelled => Some("CANCELLED"),
            Self::Unsettled => None,
        }
    }
}

/// A whole calendar of `events`, stamped `now`.
pub fn calendar(name: &str, events: &[Event<'_>], now: DateTime<Utc>) -> String {
    let mut out = String::new();
    for line in [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Bridgeway//Case management//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ] {
        out.push_str(&fold(line));
    }
    out.push_str(&fold(&format!("X-WR-CALNAME:{}", escape(name))));
    for e in events {
        out.push_str(&fold("BEGIN:VEVENT"));
        out.push_str(&fold(&format!("UID:{}", e.uid)));
        out.push_str(&fold(&format!("DTSTAMP:{}", stamp(now))));
        out.push_str(&fold(&format!("SEQUENCE:{}", e.sequence)));
        out.push_str(&fold(&format!("DTSTART:{}", stamp(e.starts))));
        out.push_str(&fold(&format!("DTEND:{}", stamp(e.ends))));
        out.push_str(&fold(&format!("SUMMARY:{}", escape(e.summary))));
        if let Some(l) = e.location {
            out.push_str(&fold(&format!("LOCATION:{}", escape(l))));
        }
        if let Some(status) = e.status.property() {
            out.push_str(&fold(&format!("STATUS:{status}")));
        }
        out.push_str(&fold("END:VEVENT"));
    }
    out.push_str(&fold("END:VCALENDAR"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_long_lines_fold() {
        assert_eq!(
            escape("Room 2; floor 3, east\\wing\nback"),
            "Room 2\\; floor 3\\, east\\\\wing\\nback"
        );
        let long = format!("SUMMARY:{}", "é".repeat(60));
        let folded = fold(&long);
        assert!(folded.split("\r\n").all(|l| l.len() <= 75), "{folded:?}");
        assert_eq!(folded.replace("\r\n ", "").trim_end(), long);
    }

    #[test]
    fn a_calendar_holds_its_events() {
        let at: DateTime<Utc> = "2026-12-07T15:00:00Z".parse().unwrap();
        let event = Event {
            uid: "a1@bridgeway".into(),
            starts: at,
            ends: at + chrono::Duration::minutes(30),
            summary: "Office visit · P-0000042",
            location: Some("Room 2"),
            status: EventStatus::Confirmed,
            sequence: 2,
        };
        let missed = Event {
            uid: "a2@bridgeway".into(),
            status: EventStatus::Unsettled,
            ..event.clone()
        };
        let text = calendar("Bridgeway: J. Kim", &[event, missed], at);
        assert!(text.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
        assert!(text.contains("DTSTART:20261207T150000Z\r\nDTEND:20261207T153000Z\r\n"));
        assert_eq!(text.matches("STATUS:").count(), 1, "{text}");
        assert!(text.contains("SEQUENCE:2\r\n"), "{text}");
        assert!(text.ends_with("END:VEVENT\r\nEND:VCALENDAR\r\n"));
    }
}
