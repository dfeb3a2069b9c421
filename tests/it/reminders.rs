//! Reminders and their queue, against a real SMTP server and an HTTP
//! stand-in for the SMS gateway, both on loopback: each reminder goes once
//! per agreed channel in the person's language, failures retry with
//! back-off, two servers never send one message twice, a send cut off
//! mid-way is not repeated, and replies (STOP, START, HELP, in English and
//! Spanish) change consent and are answered.

use crate::helpers::{local, test_zone, Backend, TestApp, User};
use crate::on_both_databases;
use crate::stand_ins::{sms_gateway, smtp_server, Gateway, Mail};
use crate::{exec, fetch};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use bridgeway::app::outreach::reminders::{deliver, plan};
use bridgeway::app::App;
use bridgeway::config::{EmailSettings, Settings, SmsSettings, SmtpSecurity};
use bridgeway::domain::access::users::Role;
use bridgeway::domain::audit::Action;
use bridgeway::domain::outreach::messages::webhook_signature;
use bridgeway::gateways::Gateways;
use chrono::Duration;
use serde_json::{json, Value};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};

const PUBLIC: &str = "http://bridgeway.test";
const TOKEN: &str = "gateway-secret";

struct World {
    t: TestApp,
    officer: User,
    opened: Value,
    gateway: Arc<Gateway>,
    mails: Arc<Mutex<Vec<Mail>>>,
    gateways: Gateways,
}

fn stamp(t: chrono::NaiveDateTime) -> String {
    t.format("%Y-%m-%dT%H:%M").to_string()
}

/// Bridgeway with an SMS gateway and a mail server on loopback, and an
/// active case of a Spanish-speaking participant who agreed to both.
async fn world(backend: Backend) -> World {
    let mut t = TestApp::new(backend).await;
    let (gateway, base_url) = sms_gateway().await;
    let (mails, port) = smtp_server();
    let mut settings = Settings {
        sms: Some(SmsSettings {
            base_url,
            account_sid: "AC0001".into(),
            auth_token: TOKEN.into(),
            from: "+15550000001".into(),
            public_url: Some(PUBLIC.into()),
        }),
        email: Some(EmailSettings {
            host: "127.0.0.1".into(),
            port,
            security: SmtpSecurity::None,
            username: None,
            password: None,
            from: "County Probation <reminders@county.test>".into(),
        }),
        timezone: test_zone(),
        ..Settings::default()
    };
    settings.reminders.agency_name = "County Probation".into();
    settings.reminders.agency_phone = "555-0100".into();
    // Requirements due tomorrow are reminded a day ahead at this time:
    // half an hour ago, so the reminder is due now.
    settings.reminders.morning_of = local(-30).format("%H:%M").to_string();
    // Whatever the hour the suite runs at (quiet hours have their own test).
    settings.reminders.quiet_from = String::new();
    settings.reminders.quiet_until = String::new();
    let gateways = Gateways::from_settings(&settings).unwrap();
    let app = App::new(t.app.db.clone(), settings, (*t.app.keys).clone());
    t.serve(app);
    let admin = t.user("admin", Role::Admin, None, None).await;
    let officer = t.user("officer", Role::Officer, None, None).await;
    let program = t.program(&admin, "Pretrial", json!({})).await;
    let mut referral =
        crate::helpers::referral(program, "Ana", "Ruiz", "1990-04-01", Some(officer.id));
    referral["person"]["phone"] = json!("(555) 010-4477");
    referral["person"]["email"] = json!("ana@example.test");
    referral["person"]["preferred_language"] = json!("es");
    referral["person"]["may_text"] = json!(true);
    referral["person"]["may_email"] = json!(true);
    let opened = t.post("/api/v1/intake", &officer, referral).await;
    assert_eq!(opened.status, StatusCode::CREATED, "{}", opened.text());
    let opened = opened.json();
    t.activate(opened["case_id"].as_str().unwrap(), &officer)
        .await;
    World {
        t,
        officer,
        opened,
        gateway,
        mails,
        gateways,
    }
}

impl World {
    fn case(&self) -> String {
        format!("/api/v1/cases/{}", self.opened["case_id"].as_str().unwrap())
    }

    async fn schedule(&self, kind: &str, starts: chrono::NaiveDateTime) -> Value {
        let made = self
            .t
            .post(
                &format!("{}/appointments", self.case()),
                &self.officer,
                json!({"kind": kind, "starts_at": stamp(starts), "location": "Main office"}),
            )
            .await;
        assert_eq!(made.status, StatusCode::CREATED, "{}", made.text());
        made.json()[0].clone()
    }

    async fn deliver(&self, worker: &str) -> bridgeway::app::outreach::reminders::Delivered {
        deliver(&self.t.app, &self.gateways, worker).await.unwrap()
    }

    async fn timeline(&self) -> String {
        let person = format!(
            "/api/v1/people/{}",
            self.opened["person_id"].as_str().unwrap()
        );
        self.t.get(&person, &self.officer).await.json()["timeline"].to_string()
    }

    async fn sql(&self, sql: &str) {
        let mut tx = self.t.app.db.write().await.unwrap();
        exec!(&mut tx, sqlx::query(sql)).unwrap();
        tx.commit().await.unwrap();
    }

    async fn statuses(&self) -> Vec<(String, String, i32)> {
        let mut tx = self.t.app.db.read().await.unwrap();
        fetch!(&mut tx, fetch_all, sqlx::query_as(
            "SELECT channel, status, CAST(attempts AS INTEGER) FROM messages WHERE purpose <> 'inbound' ORDER BY created_at, channel"
        ))
        .unwrap()
    }

    /// Posts a webhook as the gateway would, signed unless `signed` is false.
    async fn webhook(&self, path: &str, params: &[(&str, &str)], signed: bool) -> StatusCode {
        let owned: Vec<(String, String)> = params
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let signature = if signed {
            webhook_signature(TOKEN, &format!("{PUBLIC}{path}"), &owned)
        } else {
            "forged".into()
        };
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(params)
            .finish();
        let req = Request::post(path)
            .header("content-type", "application/x-www-form-urlencoded")
            .header("x-twilio-signature", signature)
            .body(Body::from(body))
            .unwrap();
        self.t.send(req).await.status
    }
}

async fn reminders_go_once_by_each_agreed_channel_in_the_persons_language(backend: Backend) {
    let w = world(backend).await;
    // A visit in 23 hours: its one-day reminder fell an hour ago; a court
    // date in 71 hours: its three-day reminder did.
    w.schedule("office_visit", local(23 * 60)).await;
    w.schedule("court_date", local(71 * 60)).await;
    let tomorrow = local(-30).date() + Duration::days(1);
    let condition = w
        .t
        .post(
            &format!("{}/conditions", w.case()),
            &w.officer,
            json!({"kind": "community_service", "title": "Community service", "target": 10, "due_date": tomorrow}),
        )
        .await;
    assert_eq!(
        condition.status,
        StatusCode::CREATED,
        "{}",
        condition.text()
    );

    assert_eq!(
        plan(&w.t.app).await.unwrap(),
        6,
        "three reminders, by text and e-mail"
    );
    assert_eq!(plan(&w.t.app).await.unwrap(), 0, "planned once");
    let done = w.deliver("server-a").await;
    assert_eq!((done.sent, done.retrying, done.failed), (6, 0, 0));
    assert_eq!(w.deliver("server-a").await.sent, 0, "sent once");

    let texts = w.gateway.texts();
    assert_eq!(texts.len(), 3);
    let bodies: Vec<&str> = texts.iter().map(|t| t.params["Body"].as_str()).collect();
    for t in &texts {
        assert_eq!(t.account, "AC0001");
        assert_eq!(t.params["To"], "+15550104477");
        assert_eq!(t.params["From"], "+15550000001");
        assert_eq!(t.params["StatusCallback"], format!("{PUBLIC}/sms/status"));
        use base64::Engine as _;
        let basic = base64::engine::general_purpose::STANDARD.encode(format!("AC0001:{TOKEN}"));
        assert_eq!(t.authorization, format!("Basic {basic}"));
    }
    assert!(
        bodies
            .iter()
            .any(|b| b.contains("su cita el") && b.contains("Main office")),
        "{bodies:?}"
    );
    assert!(
        bodies.iter().any(|b| b.contains("su fecha de corte")),
        "{bodies:?}"
    );
    assert!(
        bodies
            .iter()
            .any(|b| b.contains("un requisito de su caso vence")),
        "{bodies:?}"
    );
    assert!(
        bodies
            .iter()
            .all(|b| !b.contains("Pretrial") && !b.contains("Ana")),
        "no program or name in a text"
    );
    let mails = w.mails.lock().unwrap().clone();
    assert_eq!(mails.len(), 3);
    assert!(mails.iter().all(|m| m.to == ["ana@example.test"]));
    assert!(
        mails
            .iter()
            .any(|m| m.data.contains("Subject: Recordatorio")),
        "{mails:?}"
    );

    // A missed appointment is followed up.
    let past = w.schedule("office_visit", local(-60)).await;
    let missed =
        w.t.post(
            &format!(
                "/api/v1/appointments/{}/outcome",
                past["id"].as_str().unwrap()
            ),
            &w.officer,
            json!({"version": 1, "outcome": "missed"}),
        )
        .await;
    assert_eq!(missed.status, StatusCode::OK, "{}", missed.text());
    assert_eq!(plan(&w.t.app).await.unwrap(), 2);
    w.deliver("server-a").await;
    assert!(w.gateway.texts()[3].params["Body"].contains("faltó a su cita"));

    let timeline = w.timeline().await;
    assert!(
        timeline.contains("Text message · Appointment reminder (Sent)"),
        "{timeline}"
    );
    assert!(
        timeline.contains("E-mail · Missed appointment follow-up (Sent)"),
        "{timeline}"
    );
    // Sealed at rest.
    let mut tx = w.t.app.db.read().await.unwrap();
    let stored: Vec<String> = fetch!(
        &mut tx,
        fetch_all,
        sqlx::query_scalar("SELECT address FROM messages")
    )
    .unwrap();
    assert!(stored
        .iter()
        .all(|a| a.starts_with("$k1$") && !a.contains("4477")));
}

/// A suspension calls off the appointments ahead (court dates stay, the
/// court's to move), withdraws the reminders waiting, tells the participant
/// in their language, and no reminder is planned while it lasts.
async fn a_suspension_calls_off_appointments_and_their_reminders(backend: Backend) {
    let w = world(backend).await;
    let visit = w.schedule("office_visit", local(23 * 60)).await;
    let court = w.schedule("court_date", local(23 * 60 + 40)).await;
    assert_eq!(
        plan(&w.t.app).await.unwrap(),
        4,
        "two reminders, two channels"
    );
    let version = w.t.get(&w.case(), &w.officer).await.json()["version"].clone();
    let suspended =
        w.t.post(
            &format!("{}/transitions", w.case()),
            &w.officer,
            json!({"version": version, "to": "suspended", "reason": "in custody"}),
        )
        .await;
    assert_eq!(suspended.status, StatusCode::OK, "{}", suspended.text());
    let supervision =
        w.t.get(&format!("{}/supervision", w.case()), &w.officer)
            .await
            .json();
    let outcome = |id: &Value| {
        supervision["upcoming"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["id"] == *id)
            .map(|a| a["outcome"].clone())
    };
    assert_eq!(
        outcome(&visit["id"]),
        Some(json!("cancelled")),
        "{supervision}"
    );
    assert_eq!(
        outcome(&court["id"]),
        Some(Value::Null),
        "the court date stays"
    );
    assert_eq!(
        plan(&w.t.app).await.unwrap(),
        0,
        "nothing is reminded while suspended"
    );
    let done = w.deliver("server-a").await;
    assert_eq!(done.sent, 2, "only the word that the appointments are off");
    let texts = w.gateway.texts();
    assert_eq!(texts.len(), 1);
    let body = &texts[0].params["Body"];
    assert!(
        body.contains("su próxima cita con nosotros está cancelada")
            && body.contains("Las fechas de corte no cambian"),
        "{body}"
    );
    let statuses = w.statuses().await;
    assert_eq!(
        statuses.iter().filter(|(_, s, _)| s == "cancelled").count(),
        4,
        "the waiting reminders were withdrawn: {statuses:?}"
    );
    let changes = w.t.audit_events(Action::CaseStatusChange).await;
    assert!(
        changes
            .iter()
            .any(|e| e.reason.as_deref() == Some("suspended; 1 appointments ahead called off")),
        "{changes:?}"
    );
}

async fn failures_retry_with_back_off_and_refusals_stop(backend: Backend) {
    let w = world(backend).await;
    w.gateway.fail_next.store(2, Ordering::SeqCst);
    w.schedule("office_visit", local(23 * 60)).await;
    assert_eq!(plan(&w.t.app).await.unwrap(), 2);
    let first = w.deliver("server-a").await;
    assert_eq!(
        (first.sent, first.retrying),
        (1, 1),
        "the e-mail went; the text waits"
    );
    assert_eq!(
        w.deliver("server-a").await.retrying,
        0,
        "not before its back-off"
    );
    let due_now = "UPDATE messages SET next_attempt_at = created_at WHERE status = 'queued'";
    w.sql(due_now).await;
    assert_eq!(w.deliver("server-a").await.retrying, 1);
    w.sql(due_now).await;
    assert_eq!(w.deliver("server-a").await.sent, 1);
    assert_eq!(w.gateway.requests.load(Ordering::SeqCst), 3);
    let statuses = w.statuses().await;
    assert!(
        statuses.contains(&("sms".into(), "sent".into(), 3)),
        "{statuses:?}"
    );

    // Refusals are final: a number the carrier rejects, a mailbox that does not exist.
    w.gateway.refuse.store(true, Ordering::SeqCst);
    w.sql("UPDATE people SET email = 'ana@nowhere.test'").await;
    w.schedule("home_visit", local(23 * 60 + 30)).await;
    assert_eq!(plan(&w.t.app).await.unwrap(), 2);
    let refused = w.deliver("server-a").await;
    assert_eq!((refused.sent, refused.failed), (0, 2));
    let timeline = w.timeline().await;
    assert!(
        timeline.contains("Failed — the SMS gateway answered 400"),
        "{timeline}"
    );
    assert!(
        timeline.contains("Failed — the mail server refused it"),
        "{timeline}"
    );
    // The officer's work queue shows what did not reach the participant.
    let queue = w.t.get("/api/v1/work-queue", &w.officer).await.json();
    assert_eq!(queue["messages_sent_today"], 2, "{queue}");
    let undelivered = queue["undelivered"].as_array().unwrap();
    assert_eq!(undelivered.len(), 2, "{queue}");
    assert_eq!(undelivered[0]["person_name"], "Ruiz, Ana");

    // A server that stopped mid-send leaves its claim; the message is not
    // sent again (it may have gone) but marked failed.
    w.gateway.refuse.store(false, Ordering::SeqCst);
    let before = w.gateway.requests.load(Ordering::SeqCst);
    w.sql("UPDATE messages SET status = 'sending', claimed_by = 'gone', lease_until = created_at WHERE status = 'failed' AND channel = 'sms'").await;
    let after_crash = w.deliver("server-b").await;
    assert_eq!((after_crash.sent, after_crash.failed), (0, 1));
    assert_eq!(w.gateway.requests.load(Ordering::SeqCst), before);
    assert!(w.timeline().await.contains("outcome unknown"));
}

async fn two_servers_never_send_one_message_twice(backend: Backend) {
    let w = world(backend).await;
    // Thirty short calls back to back (the officer is booked once each).
    for n in 0..30 {
        let starts = stamp(local(23 * 60 - n * 6));
        let body = json!({"kind": "phone_contact", "starts_at": starts, "duration_minutes": 5});
        let made =
            w.t.post(&format!("{}/appointments", w.case()), &w.officer, body)
                .await;
        assert_eq!(made.status, StatusCode::CREATED, "{}", made.text());
    }
    w.sql("UPDATE people SET may_email = FALSE").await;
    assert_eq!(plan(&w.t.app).await.unwrap(), 30);
    let (a, b) = tokio::join!(w.deliver("server-a"), w.deliver("server-b"));
    assert_eq!(a.sent + b.sent, 30, "{a:?} {b:?}");
    let texts = w.gateway.texts();
    assert_eq!(texts.len(), 30, "each message sent exactly once");
    assert_eq!(w.gateway.requests.load(Ordering::SeqCst), 30);
}

async fn replies_change_consent_and_are_answered(backend: Backend) {
    let w = world(backend).await;
    w.schedule("office_visit", local(23 * 60)).await;
    plan(&w.t.app).await.unwrap();
    w.deliver("server-a").await;
    let phone = "+15550104477";
    // A reminder queued (text and e-mail) but not yet sent when STOP arrives.
    w.schedule("home_visit", local(23 * 60 - 30)).await;
    assert_eq!(plan(&w.t.app).await.unwrap(), 2);

    assert_eq!(
        w.webhook("/sms/inbound", &[("From", phone), ("Body", "PARAR")], false)
            .await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        w.webhook("/sms/inbound", &[("From", phone), ("Body", "PARAR")], true)
            .await,
        StatusCode::OK
    );
    let person = format!("/api/v1/people/{}", w.opened["person_id"].as_str().unwrap());
    assert_eq!(w.t.get(&person, &w.officer).await.json()["may_text"], false);
    assert_eq!(w.t.audit_count(Action::PersonTextsStopped).await, 1);
    w.deliver("server-a").await;
    let last = w.gateway.texts().last().unwrap().params["Body"].clone();
    assert!(last.contains("no recibirá más mensajes"), "{last}");
    assert_eq!(
        w.gateway.texts().len(),
        2,
        "the reminder, then the answer to STOP"
    );
    assert_eq!(
        w.mails.lock().unwrap().len(),
        2,
        "e-mail consent stands: the queued e-mail went"
    );
    let statuses = w.statuses().await;
    assert!(
        statuses.contains(&("sms".into(), "cancelled".into(), 0)),
        "the queued text is cancelled, not sent: {statuses:?}"
    );

    // Staff cannot turn texts back on; only the participant can.
    let mut edit = w.t.get(&person, &w.officer).await.json();
    let refused = w
        .t
        .api(
            "PUT",
            &person,
            &w.officer,
            Some(json!({"version": edit["version"].take(), "person": {"first_name": "Ana", "last_name": "Ruiz",
                "date_of_birth": "1990-04-01", "phone": "(555) 010-4477", "email": "ana@example.test",
                "preferred_language": "es", "may_text": true, "may_email": true}})),
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.text()
    );
    assert!(
        refused.text().contains("replied STOP"),
        "{}",
        refused.text()
    );

    // New reminders go by e-mail only now.
    w.schedule("office_visit", local(23 * 60 + 30)).await;
    assert_eq!(plan(&w.t.app).await.unwrap(), 1);
    let timeline = w.timeline().await;
    assert!(
        timeline.contains("Message from the participant (Received): PARAR"),
        "{timeline}"
    );

    assert_eq!(
        w.webhook("/sms/inbound", &[("From", phone), ("Body", "ayuda")], true)
            .await,
        StatusCode::OK
    );
    assert_eq!(
        w.webhook("/sms/inbound", &[("From", phone), ("Body", "START")], true)
            .await,
        StatusCode::OK
    );
    assert_eq!(w.t.get(&person, &w.officer).await.json()["may_text"], true);
    w.deliver("server-a").await;
    let texts = w.gateway.texts();
    let n = texts.len();
    assert!(
        texts[n - 2].params["Body"].contains("Ayuda: 555-0100"),
        "{texts:?}"
    );
    assert!(
        texts[n - 1].params["Body"].contains("volverá a recibir"),
        "{texts:?}"
    );

    // A number never texted is ignored; a delivery report is recorded.
    assert_eq!(
        w.webhook(
            "/sms/inbound",
            &[("From", "+15559999999"), ("Body", "STOP")],
            true
        )
        .await,
        StatusCode::OK
    );
    assert_eq!(w.t.audit_count(Action::PersonTextsStopped).await, 1);
    let mut tx = w.t.app.db.read().await.unwrap();
    let sid: String = fetch!(&mut tx, fetch_one, sqlx::query_scalar(
        "SELECT provider_id FROM messages WHERE purpose = 'appointment_reminder' AND channel = 'sms'")).unwrap();
    drop(tx);
    assert_eq!(
        w.webhook(
            "/sms/status",
            &[("MessageSid", &sid), ("MessageStatus", "delivered")],
            true
        )
        .await,
        StatusCode::NO_CONTENT
    );
    assert!(w
        .timeline()
        .await
        .contains("Appointment reminder (Delivered)"));
    assert_eq!(
        w.webhook("/sms/status", &[("MessageSid", &sid)], true)
            .await,
        StatusCode::UNPROCESSABLE_ENTITY
    );
}

async fn quiet_hours_hold_reminders_back(backend: Backend) {
    let mut w = world(backend).await;
    // The visit's one-day reminder falls an hour ago, inside quiet hours
    // that run from two hours ago to two hours ahead: it waits.
    let mut settings = (*w.t.app.settings).clone();
    settings.reminders.quiet_from = local(-120).format("%H:%M").to_string();
    settings.reminders.quiet_until = local(120).format("%H:%M").to_string();
    let app = App::new(w.t.app.db.clone(), settings, (*w.t.app.keys).clone());
    w.t.serve(app);
    w.schedule("office_visit", local(23 * 60)).await;
    assert_eq!(
        plan(&w.t.app).await.unwrap(),
        0,
        "held back during quiet hours"
    );
    // With quiet hours that ended before the moment, it goes.
    let mut settings = (*w.t.app.settings).clone();
    settings.reminders.quiet_from = local(-240).format("%H:%M").to_string();
    settings.reminders.quiet_until = local(-180).format("%H:%M").to_string();
    let app = App::new(w.t.app.db.clone(), settings, (*w.t.app.keys).clone());
    w.t.serve(app);
    assert_eq!(
        plan(&w.t.app).await.unwrap(),
        2,
        "sent once the quiet hours are over"
    );
}

/// A moved appointment's reminder still waiting is withdrawn, the
/// participant is told of the new time in their language, and the new time
/// is reminded afresh; a cancellation is told too.
async fn a_moved_appointment_is_told_and_reminded_afresh(backend: Backend) {
    let w = world(backend).await;
    let visit = w.schedule("office_visit", local(23 * 60)).await;
    assert_eq!(
        plan(&w.t.app).await.unwrap(),
        2,
        "the day-ahead reminder, two channels"
    );
    let one = format!("/api/v1/appointments/{}", visit["id"].as_str().unwrap());
    let later = stamp(local(23 * 60 + 120));
    let moved = w
        .t
        .api(
            "PUT",
            &one,
            &w.officer,
            Some(json!({"version": visit["version"], "kind": "office_visit", "starts_at": later, "duration_minutes": 30, "location": "Main office"})),
        )
        .await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.text());
    let purposes = |status: &'static str| {
        let w = &w;
        async move {
            let mut tx = w.t.app.db.read().await.unwrap();
            let found: Vec<String> = fetch!(
                &mut tx,
                fetch_all,
                sqlx::query_scalar(
                    "SELECT purpose FROM messages WHERE status = $1 ORDER BY purpose"
                )
                .bind(status)
            )
            .unwrap();
            found
        }
    };
    assert_eq!(
        purposes("cancelled").await,
        ["appointment_reminder", "appointment_reminder"],
        "the old time's reminders are withdrawn"
    );
    assert_eq!(purposes("queued").await, ["changed", "changed"]);
    let sent = w.deliver("server-a").await;
    assert_eq!(sent.sent, 2);
    let texts: Vec<String> = w
        .gateway
        .texts()
        .iter()
        .map(|t| t.params["Body"].clone())
        .collect();
    assert!(
        texts.iter().any(|t| t.contains("su cita del jueves 19 de noviembre a las 12:00 cambió al jueves 19 de noviembre a las 14:00 en Main office")),
        "{texts:?}"
    );
    assert_eq!(
        plan(&w.t.app).await.unwrap(),
        0,
        "not a day ahead of the new time yet"
    );
    w.t.advance(chrono::Duration::hours(2));
    assert_eq!(
        plan(&w.t.app).await.unwrap(),
        2,
        "reminded afresh for the new time"
    );

    let version = w.t.get(&one, &w.officer).await.json()["version"].clone();
    let cancelled =
        w.t.post(
            &format!("{one}/cancel"),
            &w.officer,
            json!({"version": version, "reason": "Office closed"}),
        )
        .await;
    assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.text());
    assert_eq!(
        purposes("queued").await,
        ["changed", "changed"],
        "told of the cancellation; its reminders withdrawn"
    );
    w.deliver("server-a").await;
    let texts: Vec<String> = w
        .gateway
        .texts()
        .iter()
        .map(|t| t.params["Body"].clone())
        .collect();
    assert!(
        texts
            .iter()
            .any(|t| t.contains("su cita del jueves 19 de noviembre a las 14:00 está cancelada")),
        "{texts:?}"
    );
}

on_both_databases!(
    a_suspension_calls_off_appointments_and_their_reminders,
    a_moved_appointment_is_told_and_reminded_afresh,
    quiet_hours_hold_reminders_back,
    reminders_go_once_by_each_agreed_channel_in_the_persons_language,
    failures_retry_with_back_off_and_refusals_stop,
    two_servers_never_send_one_message_twice,
    replies_change_consent_and_are_answered
);

/// The agency's wall-clock time `minutes` from now by the system's clock,
/// which a server started as its own process tells time by. A reminder a
/// day ahead of an appointment 23 hours away is due at any hour: the
/// morning-of reminder is always still to come.
#[allow(
    clippy::disallowed_methods,
    reason = "the server under test reads the system clock"
)]
fn server_local(minutes: i64) -> chrono::NaiveDateTime {
    (chrono::Utc::now() + Duration::minutes(minutes))
        .with_timezone(&test_zone())
        .naive_local()
}

/// The real server, configured with the gateway and a short poll, plans and
/// sends a due reminder by itself; after a restart it sends nothing twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_sends_due_reminders_by_itself_and_not_again_after_a_restart() {
    use crate::process::{bridgeway, Server};
    let (gateway, base_url) = sms_gateway().await;
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("reminders.db").display());
    let token = |username: &str, role: &str, scope: &str| {
        let create = [
            "admin",
            "create-user",
            "--database-url",
            &url,
            "--username",
            username,
            "--role",
            role,
        ];
        let (ok, _, err) = bridgeway(&create, "a long passphrase for tests 2026");
        assert!(ok, "{err}");
        let issue = [
            "admin",
            "create-token",
            "--database-url",
            &url,
            "--username",
            username,
            "--scope",
            scope,
        ];
        let (ok, out, err) = bridgeway(&issue, "");
        assert!(ok, "{err}");
        format!("Bearer {}", out.trim())
    };
    let admin = token("admin", "admin", "admin");
    let officer = token("officer", "officer", "write");
    let config = dir.path().join("bridgeway.toml");
    std::fs::write(
        &config,
        format!(
            "timezone = \"{zone}\"\n\n[reminders]\npoll_seconds = 5\nagency_name = \"County Probation\"\nquiet_from = \"\"\nquiet_until = \"\"\n\n\
             [sms]\nbase_url = \"{base_url}\"\naccount_sid = \"AC0001\"\nauth_token = \"{TOKEN}\"\nfrom = \"+15550000001\"\n",
            zone = test_zone().name()
        ),
    )
    .unwrap();
    let args = [
        "--database-url",
        url.as_str(),
        "--config",
        config.to_str().unwrap(),
    ];
    let server = Server::start(&args, &[]);
    let call = |server: &Server, method: &str, path: &str, who: &str, body: Value| -> Value {
        let body = body.to_string();
        let headers = [("Authorization", who), ("Content-Type", "application/json")];
        let res = server.http(method, path, &headers, &body);
        let (_, json) = res.split_once("\r\n\r\n").expect("a response");
        serde_json::from_str(json).unwrap_or_else(|_| panic!("{res}"))
    };
    let program = call(
        &server,
        "POST",
        "/api/v1/programs",
        &admin,
        json!({"kind": "pretrial", "name": "Pretrial", "default_length_days": 180, "supervising_unit": "Unit 1"}),
    );
    let program: bridgeway::domain::ids::ProgramId =
        serde_json::from_value(program["id"].clone()).unwrap();
    let me = call(&server, "GET", "/api/v1/me", &officer, json!(null));
    let officer_id = serde_json::from_value(me["id"].clone()).unwrap();
    let mut referral =
        crate::helpers::referral(program, "Ana", "Ruiz", "1990-04-01", Some(officer_id));
    referral["person"]["phone"] = json!("555-010-4477");
    referral["person"]["may_text"] = json!(true);
    let opened = call(&server, "POST", "/api/v1/intake", &officer, referral);
    let case = format!(
        "/api/v1/cases/{}",
        opened["case_id"].as_str().expect("a case")
    );
    for to in ["enrolled", "active"] {
        let version = call(&server, "GET", &case, &officer, json!(null))["version"].clone();
        call(
            &server,
            "POST",
            &format!("{case}/transitions"),
            &officer,
            json!({"version": version, "to": to, "reason": "test"}),
        );
    }
    call(
        &server,
        "POST",
        &format!("{case}/appointments"),
        &officer,
        json!({"kind": "office_visit", "starts_at": stamp(server_local(23 * 60))}),
    );

    let waited = std::time::Instant::now();
    while gateway.texts().is_empty() && waited.elapsed() < std::time::Duration::from_secs(30) {
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    let texts = gateway.texts();
    assert_eq!(texts.len(), 1, "the server sent the reminder");
    assert!(texts[0].params["Body"].contains("County Probation: reminder of your appointment"));
    let (status, log) = server.stop();
    assert!(status.success(), "{log}");

    let again = Server::start(&args, &[]);
    tokio::time::sleep(std::time::Duration::from_secs(7)).await;
    let (status, log) = again.stop();
    assert!(status.success(), "{log}");
    assert_eq!(
        gateway.requests.load(Ordering::SeqCst),
        1,
        "nothing sent twice: {log}"
    );
}
