//! Case notes: drafts seen by their author alone, signing, addenda instead of
//! changes (enforced by the database too), sealed text, search through a
//! blinded full-text index on the cases one holds, and the risk lexicon
//! flagging notes for supervisor review.

use crate::helpers::{referral, Backend, TestApp, User};
use crate::on_both_databases;
use crate::{exec, fetch};
use axum::http::StatusCode;
use bridgeway::app::App;
use bridgeway::config::Settings;
use bridgeway::domain::access::users::Role;
use bridgeway::domain::audit::Action;
use serde_json::{json, Value};

fn notes_of(opened: &Value) -> String {
    format!(
        "/api/v1/cases/{}/notes",
        opened["case_id"].as_str().unwrap()
    )
}

fn id(v: &Value) -> String {
    v["note"]["id"].as_str().unwrap().to_owned()
}

fn marked(runs: &Value) -> Vec<String> {
    runs.as_array()
        .unwrap()
        .iter()
        .filter(|r| r["marked"] == true)
        .map(|r| r["text"].as_str().unwrap().to_owned())
        .collect()
}

async fn write(t: &TestApp, who: &User, opened: &Value, text: &str, sign: bool) -> Value {
    let made = t
        .post(
            &notes_of(opened),
            who,
            json!({"kind": "contact", "text": text, "sign": sign}),
        )
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.text());
    made.json()
}

async fn search(t: &TestApp, who: &User, query: &str) -> crate::helpers::Response {
    t.post("/api/v1/notes/search", who, json!({ "query": query }))
        .await
}

/// A supervisor, an officer on their team, and a referral the officer took in.
async fn team_case(t: &TestApp) -> (User, User, Value) {
    let admin = t.user("admin", Role::Admin, None, None).await;
    let sup = t.user("sup", Role::Supervisor, None, None).await;
    let officer = t.user("officer", Role::Officer, Some(sup.id), None).await;
    let program = t.program(&admin, "Pretrial", json!({})).await;
    let referral = crate::helpers::referral(program, "Ann", "Lee", "1990-04-01", Some(officer.id));
    let opened = t.post("/api/v1/intake", &officer, referral).await.json();
    (sup, officer, opened)
}

async fn signed_notes_change_only_by_addenda(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (sup, officer, opened) = team_case(&t).await;
    let other = t.user("other", Role::Officer, None, None).await;
    let notes = notes_of(&opened);

    let draft = write(
        &t,
        &officer,
        &opened,
        "Met at the office; employment search.",
        false,
    )
    .await;
    assert!(draft["note"]["signed_at"].is_null());
    assert_eq!(draft["can_edit"], true);
    let note = format!("/api/v1/notes/{}", id(&draft));
    // A draft is its author's alone.
    assert_eq!(t.get(&note, &other).await.status, StatusCode::NOT_FOUND);

    for (body, field) in [
        (json!({"kind": "contact", "text": "   "}), "text"),
        (json!({"kind": "gossip", "text": "x"}), "kind"),
        (
            json!({"kind": "contact", "text": "x", "mood": "ok"}),
            "mood",
        ),
        (
            json!({"kind": "contact", "text": "x", "contact_id": uuid::Uuid::new_v4()}),
            "contact_id",
        ),
        (
            json!({"kind": "contact", "text": "x".repeat(20_001)}),
            "text",
        ),
    ] {
        let res = t.post(&notes, &officer, body).await;
        assert_eq!(
            res.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            res.text()
        );
        assert_eq!(res.error_fields(), [field], "{}", res.text());
    }

    let stale = t
        .api(
            "PUT",
            &note,
            &officer,
            Some(json!({"version": 0, "kind": "contact", "text": "x"})),
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.text());
    let contact = t
        .post(
            &format!(
                "/api/v1/cases/{}/contacts",
                opened["case_id"].as_str().unwrap()
            ),
            &officer,
            json!({"kind": "office", "occurred_at": "2026-11-02T10:00"}),
        )
        .await
        .json();
    let changed = t
        .api(
            "PUT",
            &note,
            &officer,
            Some(json!({"version": 1, "kind": "contact", "text": "Met at the office; looking for work.", "contact_id": contact["id"]})),
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.text());
    assert_eq!(changed.json()["note"]["contact_id"], contact["id"]);
    let listed = t.get(&notes, &sup).await.json();
    assert!(
        listed["notes"].as_array().unwrap().is_empty(),
        "a draft is hidden: {listed}"
    );

    // The supervisor holds the case but cannot see, let alone sign, the draft.
    let by_sup = t
        .post(&format!("{note}/sign"), &sup, json!({"version": 2}))
        .await;
    assert_eq!(by_sup.status, StatusCode::NOT_FOUND);
    let signed = t
        .post(&format!("{note}/sign"), &officer, json!({"version": 2}))
        .await;
    assert_eq!(signed.status, StatusCode::OK, "{}", signed.text());
    assert!(signed.json()["note"]["signed_at"].is_string());
    for res in [
        t.api(
            "PUT",
            &note,
            &officer,
            Some(json!({"version": 3, "kind": "contact", "text": "changed"})),
        )
        .await,
        t.post(&format!("{note}/sign"), &officer, json!({"version": 3}))
            .await,
    ] {
        assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.text());
    }

    // Corrections are addenda, by anyone holding the case.
    let added = t
        .post(
            &format!("{note}/addenda"),
            &sup,
            json!({"text": "Correction: the meeting was at his home."}),
        )
        .await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.text());
    let shown = t.get(&note, &officer).await.json();
    assert_eq!(
        shown["addenda"][0]["addendum"]["text"],
        "Correction: the meeting was at his home."
    );
    assert_eq!(
        shown["note"]["text"],
        "Met at the office; looking for work."
    );
    let on_draft = write(&t, &officer, &opened, "Second thoughts", false).await;
    let refused = t
        .post(
            &format!("/api/v1/notes/{}/addenda", id(&on_draft)),
            &officer,
            json!({"text": "x"}),
        )
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT);

    // The database refuses to change or delete a signed note, whoever asks.
    let mut tx = t.app.db.write().await.unwrap();
    let sql = format!(
        "UPDATE case_notes SET kind = 'general' WHERE id = '{}'",
        id(&draft)
    );
    assert!(exec!(&mut tx, sqlx::query(&sql)).is_err());
    drop(tx);
    let mut tx = t.app.db.write().await.unwrap();
    let sql = format!("DELETE FROM case_notes WHERE id = '{}'", id(&draft));
    assert!(exec!(&mut tx, sqlx::query(&sql)).is_err());
    drop(tx);
    let mut tx = t.app.db.write().await.unwrap();
    assert!(exec!(&mut tx, sqlx::query("DELETE FROM note_addenda")).is_err());
    drop(tx);

    // Sealed at rest.
    let mut tx = t.app.db.read().await.unwrap();
    let stored: Vec<String> = fetch!(
        &mut tx,
        fetch_all,
        sqlx::query_scalar("SELECT body FROM case_notes UNION ALL SELECT body FROM note_addenda")
    )
    .unwrap();
    drop(tx);
    assert!(stored
        .iter()
        .all(|b| b.starts_with("$k1$") && !b.contains("office")));

    // The participant's timeline shows the signed note and its addendum.
    let person = format!("/api/v1/people/{}", opened["person_id"].as_str().unwrap());
    let timeline = t.get(&person, &officer).await.json()["timeline"].to_string();
    assert!(
        timeline.contains("Contact note: Met at the office"),
        "{timeline}"
    );
    assert!(timeline.contains("Addendum: Correction"), "{timeline}");
    assert!(
        !timeline.contains("Second thoughts"),
        "drafts stay off the timeline"
    );
    assert_eq!(t.audit_count(Action::NoteCreate).await, 2);
    assert_eq!(t.audit_count(Action::NoteSign).await, 1);
    assert_eq!(t.audit_count(Action::NoteAddendum).await, 1);
}

async fn search_finds_words_in_any_form_on_held_cases_only(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (admin, officer, mine) = t.one_referral().await;
    let sup = t.user("sup", Role::Supervisor, None, None).await;
    let court = t
        .user("court", Role::Court, None, Some("Superior Court, Dept. 3"))
        .await;
    let other = t.user("other", Role::Officer, None, None).await;
    let program = t.program(&admin, "Diversion", json!({})).await;
    let theirs = t
        .post(
            "/api/v1/intake",
            &other,
            crate::helpers::referral(program, "Bo", "Ray", "1988-02-02", Some(other.id)),
        )
        .await
        .json();
    write(
        &t,
        &officer,
        &mine,
        "He relapsed after losing his housing.\nWill test Friday.",
        true,
    )
    .await;
    let later = write(
        &t,
        &officer,
        &mine,
        "Employment: interviews at two warehouses.",
        true,
    )
    .await;
    write(&t, &officer, &mine, "Draft about a relapse", false).await;
    write(
        &t,
        &other,
        &theirs,
        "Relapse prevention class attended.",
        true,
    )
    .await;

    let hits = search(&t, &officer, "RELAPSE").await.json();
    let hits = hits.as_array().unwrap();
    assert_eq!(hits.len(), 1, "own signed notes only: {hits:?}");
    assert_eq!(marked(&hits[0]["excerpt"]), ["relapsed"]);
    assert_eq!(hits[0]["case_number"], mine["case_number"]);
    assert_eq!(
        search(&t, &officer, "housing relapse")
            .await
            .json()
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert!(search(&t, &officer, "housing warehouse")
        .await
        .json()
        .as_array()
        .unwrap()
        .is_empty());
    assert_eq!(
        search(&t, &other, "relapsing")
            .await
            .json()
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // An addendum's words find its note.
    t.post(
        &format!("/api/v1/notes/{}/addenda", id(&later)),
        &officer,
        json!({"text": "Hired as a forklift driver."}),
    )
    .await;
    let found = search(&t, &officer, "forklift").await.json();
    assert_eq!(found[0]["note_id"], later["note"]["id"], "{found}");
    assert_eq!(marked(&found[0]["excerpt"]), ["forklift"]);

    // Unassigned cases are the supervisor's; the court reads no notes.
    assert_eq!(
        search(&t, &court, "relapse").await.status,
        StatusCode::FORBIDDEN
    );
    assert!(search(&t, &sup, "relapse")
        .await
        .json()
        .as_array()
        .unwrap()
        .is_empty());
    let bad = search(&t, &officer, "the and").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.error_fields(), ["query"]);

    // The index holds keyed digests, never the words.
    let mut tx = t.app.db.read().await.unwrap();
    let index_sql = match backend {
        Backend::Sqlite => "SELECT terms FROM note_terms",
        Backend::Postgres => "SELECT CAST(search AS TEXT) FROM case_notes WHERE search IS NOT NULL",
    };
    let index: Vec<String> = fetch!(&mut tx, fetch_all, sqlx::query_scalar(index_sql)).unwrap();
    drop(tx);
    assert_eq!(index.len(), 3);
    let all = index.join(" ");
    assert!(
        !all.contains("relaps") && !all.contains("forklift") && !all.contains("hous"),
        "{all}"
    );
    // One event per case a search showed, or one for a search that showed
    // none: six searches ran (the court's was refused, "the and" invalid).
    assert_eq!(t.audit_count(Action::NoteSearch).await, 6);
}

async fn the_lexicon_flags_signed_notes_for_supervisor_review(backend: Backend) {
    let mut t = TestApp::new(backend).await;
    let mut settings = Settings::default();
    settings.notes.lexicon.push("curfew violation".into());
    let app = App::new(t.app.db.clone(), settings, (*t.app.keys).clone());
    t.serve(app);
    let (_, officer, opened) = t.one_referral().await;
    let case_id = opened["case_id"].as_str().unwrap();
    t.activate(case_id, &officer).await;
    let flagged_alerts = |queue: Value| {
        queue["alerts"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["rule"] == "flagged_note")
            .count()
    };

    let draft = write(&t, &officer, &opened, "Says he keeps a gun at home.", false).await;
    assert_eq!(
        draft["shown"]["flagged_words"],
        json!(["gun"]),
        "highlighted even as a draft"
    );
    assert_eq!(
        flagged_alerts(t.get("/api/v1/work-queue", &officer).await.json()),
        0,
        "drafts raise nothing"
    );
    let signed = t
        .post(
            &format!("/api/v1/notes/{}/sign", id(&draft)),
            &officer,
            json!({"version": 1}),
        )
        .await
        .json();
    assert_eq!(marked(&signed["shown"]["runs"]), ["gun"]);
    assert_eq!(signed["note"]["flags"], 1);
    let queue = t.get("/api/v1/work-queue", &officer).await.json();
    assert_eq!(flagged_alerts(queue.clone()), 1, "{queue}");

    let calm = write(&t, &officer, &opened, "Attended class; curfew kept.", true).await;
    assert_eq!(calm["shown"]["flagged_words"], json!([]));
    assert_eq!(
        flagged_alerts(t.get("/api/v1/work-queue", &officer).await.json()),
        1
    );
    let added = t
        .post(
            &format!("/api/v1/notes/{}/addenda", id(&calm)),
            &officer,
            json!({"text": "Later: a curfew violation Saturday and an eviction notice."}),
        )
        .await
        .json();
    assert_eq!(
        added["addenda"][0]["shown"]["flagged_words"],
        json!(["curfew violation", "eviction"])
    );
    assert_eq!(
        flagged_alerts(t.get("/api/v1/work-queue", &officer).await.json()),
        2
    );
    // The sweep finds nothing new: raising is idempotent.
    assert_eq!(
        bridgeway::app::casework::alerts::sweep(&t.app)
            .await
            .unwrap(),
        0
    );

    // The page highlights the words.
    let cookie = t.session("officer").await;
    let page = t
        .page(&format!("/cases/{case_id}/notes"), &cookie)
        .await
        .text();
    assert!(page.contains("<mark>gun</mark>"), "{page}");
    assert!(
        page.contains("Flagged for supervisor review:</strong> curfew violation, eviction"),
        "{page}"
    );
}

async fn the_note_pages_write_sign_correct_and_search(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, _officer, opened) = t.one_referral().await;
    let case_id = opened["case_id"].as_str().unwrap();
    let cookie = t.session("officer").await;
    let notes = format!("/cases/{case_id}/notes");
    let empty = t
        .form(
            &notes,
            &cookie,
            &[
                ("kind", "court"),
                ("contact_id", ""),
                ("text", ""),
                ("action", "sign"),
            ],
        )
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.text().contains("is required"), "{}", empty.text());
    let drafted = t
        .form(
            &notes,
            &cookie,
            &[
                ("kind", "court"),
                ("contact_id", ""),
                ("text", "Hearing moved; judge warned about the warrant."),
                ("action", "draft"),
            ],
        )
        .await;
    assert_eq!(drafted.status, StatusCode::SEE_OTHER, "{}", drafted.text());
    let note = drafted.headers["location"].to_str().unwrap().to_owned();
    let page = t.page(&note, &cookie).await.text();
    assert!(
        page.contains("Change the draft") && page.contains("<mark>warrant</mark>"),
        "{page}"
    );
    let saved = t
        .form(
            &note,
            &cookie,
            &[
                ("version", "1"),
                ("kind", "court"),
                ("text", "Hearing moved to May; warrant recalled."),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text());
    let stale = t
        .form(&format!("{note}/sign"), &cookie, &[("version", "1")])
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    let signed = t
        .form(&format!("{note}/sign"), &cookie, &[("version", "2")])
        .await;
    assert_eq!(signed.status, StatusCode::SEE_OTHER, "{}", signed.text());
    let page = t.page(&note, &cookie).await.text();
    assert!(
        page.contains("Add an addendum") && !page.contains("Change the draft"),
        "{page}"
    );
    let empty = t
        .form(&format!("{note}/addenda"), &cookie, &[("text", " ")])
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    let added = t
        .form(
            &format!("{note}/addenda"),
            &cookie,
            &[("text", "The new date is 12 May.")],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER);
    let listed = t.page(&notes, &cookie).await.text();
    assert!(
        listed.contains("Hearing moved to May") && listed.contains("The new date is 12 May."),
        "{listed}"
    );

    let found = t
        .form("/notes/search", &cookie, &[("query", "recalled warrants")])
        .await
        .text();
    assert!(
        found.contains("1 found") && found.contains("<mark>recalled</mark>"),
        "{found}"
    );
    let refused = t
        .form("/notes/search", &cookie, &[("query", "")])
        .await
        .text();
    assert!(refused.contains("give at least one word"), "{refused}");
}

/// A signed text put in place of another in the database, by someone who
/// could write there, shows wherever the note is read and fails the check;
/// its kept digest cannot be rewritten to match; notes signed before
/// digests were kept get theirs at the next start.
async fn a_signed_text_changed_in_the_database_shows(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, officer, opened) = t.one_referral().await;
    let note = write(
        &t,
        &officer,
        &opened,
        "Said he starts work on Monday.",
        true,
    )
    .await;
    let note_id = id(&note);
    let path = format!("/api/v1/notes/{note_id}");
    let added = t
        .post(
            &format!("{path}/addenda"),
            &officer,
            json!({"text": "Confirmed by the employer."}),
        )
        .await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.text());
    let read = t.get(&path, &officer).await.json();
    assert_eq!(read["note"]["text_check"], "intact", "{read}");
    assert_eq!(
        read["addenda"][0]["addendum"]["text_check"], "intact",
        "{read}"
    );
    let check = || async { bridgeway::app::health::check(&t.app).await.unwrap() };
    assert!(check().await.problems().is_empty());

    // The texts replaced by others sealed as the application would seal them.
    let addendum_id = read["addenda"][0]["addendum"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let keys = &t.app.keys;
    let mut tx = t.app.db.write().await.unwrap();
    for (sql, id, column) in [
        (
            "UPDATE case_notes SET body = $1 WHERE id = $2",
            &note_id,
            bridgeway::store::sealed::NOTE_TEXT,
        ),
        (
            "UPDATE note_addenda SET body = $1 WHERE id = $2",
            &addendum_id,
            bridgeway::store::sealed::ADDENDUM_TEXT,
        ),
    ] {
        let uuid: uuid::Uuid = id.parse().unwrap();
        let forged = column.seal(keys, uuid, "He never mentioned work.");
        let id = bridgeway::domain::ids::AuditId(uuid);
        exec!(&mut tx, sqlx::query(sql).bind(forged).bind(id)).unwrap();
    }
    tx.commit().await.unwrap();

    let read = t.get(&path, &officer).await.json();
    assert_eq!(read["note"]["text"], "He never mentioned work.");
    assert_eq!(read["note"]["text_check"], "altered", "{read}");
    assert_eq!(
        read["addenda"][0]["addendum"]["text_check"], "altered",
        "{read}"
    );
    let cookie = t.session("officer").await;
    let page = t.page(&format!("/notes/{note_id}"), &cookie).await.text();
    assert_eq!(
        page.matches("Changed since it was signed").count(),
        2,
        "{page}"
    );
    let problems = check().await.problems();
    assert_eq!(
        problems,
        [
            format!("signed text changed since it was signed: case_notes {note_id}"),
            format!("signed text changed since it was signed: note_addenda {addendum_id}"),
        ]
    );

    // The kept digest cannot be made to match.
    let mut tx = t.app.db.write().await.unwrap();
    let rewrite = exec!(
        &mut tx,
        sqlx::query("UPDATE case_notes SET text_digest = 'forged'")
    );
    assert!(
        rewrite
            .unwrap_err()
            .to_string()
            .contains("digest cannot be changed"),
        "the trigger refuses it"
    );
    drop(tx);

    // A note signed before digests were kept is anchored at the next start.
    let older = write(&t, &officer, &opened, "Kept curfew all week.", true).await;
    let mut tx = t.app.db.write().await.unwrap();
    let unanchor = match tx.dialect() {
        bridgeway::store::Dialect::Sqlite => "DROP TRIGGER case_notes_digest_keep",
        bridgeway::store::Dialect::Postgres => "DROP TRIGGER case_notes_digest_keep ON case_notes",
    };
    exec!(&mut tx, sqlx::query(unanchor)).unwrap();
    exec!(
        &mut tx,
        sqlx::query("UPDATE case_notes SET text_digest = NULL WHERE id = $1")
            .bind(bridgeway::domain::ids::AuditId(id(&older).parse().unwrap()))
    )
    .unwrap();
    tx.commit().await.unwrap();
    let older_path = format!("/api/v1/notes/{}", id(&older));
    let read = t.get(&older_path, &officer).await.json();
    assert_eq!(read["note"]["text_check"], "unanchored");
    bridgeway::app::keys::prepare(&t.app).await.unwrap();
    let read = t.get(&older_path, &officer).await.json();
    assert_eq!(read["note"]["text_check"], "intact");
    assert_eq!(t.audit_count(Action::NoteAnchored).await, 1);
}

/// A supervisor review cannot be cleared by the note's author: the officer
/// who wrote a flagged note neither acknowledges nor resolves its alert,
/// their supervisor does; a supervisor's own flagged note waits for another.
async fn a_flagged_notes_review_is_settled_by_another_supervisor(backend: Backend) {
    let t = TestApp::new(backend).await;
    let admin = t.user("admin", Role::Admin, None, None).await;
    let sup = t.user("sup", Role::Supervisor, None, None).await;
    let officer = t.user("officer", Role::Officer, Some(sup.id), None).await;
    let program = t.program(&admin, "Probation", json!({})).await;
    let opened = t
        .post(
            "/api/v1/intake",
            &officer,
            referral(program, "Ann", "Lee", "1990-04-01", Some(officer.id)),
        )
        .await
        .json();
    t.activate(opened["case_id"].as_str().unwrap(), &officer)
        .await;
    let review_of = |queue: Value, author_words: &str| {
        queue["alerts"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["rule"] == "flagged_note")
            .map(|a| a["id"].as_str().unwrap().to_owned())
            .next()
            .unwrap_or_else(|| panic!("a review of the note {author_words}: {queue}"))
    };
    write(&t, &officer, &opened, "Says he keeps a gun at home.", true).await;
    let alert = review_of(
        t.get("/api/v1/work-queue", &officer).await.json(),
        "the officer wrote",
    );
    // The pages offer the review only to whom may settle it.
    let resolve_form = format!("/alerts/{alert}/resolve");
    let officer_page = t.page("/work", &t.session("officer").await).await.text();
    assert!(!officer_page.contains(&resolve_form), "{officer_page}");
    assert!(
        officer_page.contains(r#"<a href="/notes/"#),
        "the review links to its note: {officer_page}"
    );
    assert!(
        officer_page.contains("Waiting for a supervisor&#39;s review")
            || officer_page.contains("Waiting for a supervisor's review")
    );
    let sup_page = t.page("/work", &t.session("sup").await).await.text();
    assert!(sup_page.contains(&resolve_form), "{sup_page}");
    t.user("court", Role::Court, None, Some("Superior Court, Dept. 3"))
        .await;
    let court_cookie = t.session("court").await;
    let court_page = t.page("/work", &court_cookie).await.text();
    assert!(
        court_page.contains("1 open"),
        "the court reads its queue: {court_page}"
    );
    // The case page sums the review up; its notes are shown to whom may
    // read them, and their reading is audited.
    let case_page = format!("/cases/{}", opened["case_id"].as_str().unwrap());
    let listed = t.audit_count(Action::NoteList).await;
    let page = t.page(&case_page, &t.session("officer").await).await.text();
    let open = crate::helpers::glance(&page, "Open alerts");
    assert!(open.contains("Note names a risk indicator"), "{open}");
    assert!(
        page.contains("Latest notes") && page.contains("<mark>gun</mark>"),
        "{page}"
    );
    assert_eq!(t.audit_count(Action::NoteList).await, listed + 1);
    let page = t.page(&case_page, &court_cookie).await.text();
    assert!(crate::helpers::glance(&page, "Open alerts").contains("Note names a risk indicator"));
    assert!(
        !page.contains("Latest notes") && !page.contains("keeps a gun"),
        "{page}"
    );
    assert_eq!(
        t.audit_count(Action::NoteList).await,
        listed + 1,
        "the court read no notes"
    );
    assert!(
        !court_page.contains("/acknowledge") && !court_page.contains("/resolve"),
        "{court_page}"
    );
    for (who, action, expected) in [
        (&officer, "acknowledge", StatusCode::FORBIDDEN),
        (&officer, "resolve", StatusCode::FORBIDDEN),
        (&sup, "resolve", StatusCode::NO_CONTENT),
    ] {
        let body = (action == "resolve").then(|| json!({"note": "Discussed with the officer."}));
        let path = format!("/api/v1/alerts/{alert}/{action}");
        let res = t.api("POST", &path, who, body).await;
        assert_eq!(
            res.status,
            expected,
            "{} {action}: {}",
            who.username,
            res.text()
        );
    }

    write(
        &t,
        &sup,
        &opened,
        "Saw a gun on the table during the visit.",
        true,
    )
    .await;
    let own = review_of(
        t.get("/api/v1/work-queue", &sup).await.json(),
        "the supervisor wrote",
    );
    let res = t
        .api(
            "POST",
            &format!("/api/v1/alerts/{own}/resolve"),
            &sup,
            Some(json!({"note": "Reviewed my own note."})),
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.text());
    assert!(
        res.text().contains("other than the note's author"),
        "{}",
        res.text()
    );
}

on_both_databases!(
    a_signed_text_changed_in_the_database_shows,
    a_flagged_notes_review_is_settled_by_another_supervisor,
    signed_notes_change_only_by_addenda,
    search_finds_words_in_any_form_on_held_cases_only,
    the_lexicon_flags_signed_notes_for_supervisor_review,
    the_note_pages_write_sign_correct_and_search
);
