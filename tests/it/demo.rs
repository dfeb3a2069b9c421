use crate::helpers::{Backend, TestApp};
use crate::on_both_databases;

/// Every index and foreign key of the schema, by name and definition.
async fn indexes(t: &TestApp, backend: Backend) -> Vec<(String, String)> {
    let sql = match backend {
        Backend::Sqlite => {
            "SELECT name, COALESCE(sql, '') FROM sqlite_master WHERE type = 'index' ORDER BY name"
        }
        Backend::Postgres => {
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() UNION \
             ALL SELECT conname, conrelid::regclass::text || ' ' || pg_get_constraintdef(oid) \
             FROM pg_constraint WHERE contype = 'f' AND connamespace = \
             current_schema()::regnamespace ORDER BY 1"
        }
    };
    let mut tx = t.app.db.read().await.unwrap();
    crate::fetch!(&mut tx, fetch_all, sqlx::query_as(sql)).unwrap()
}

async fn the_demo_agency_has_cases_in_every_state(backend: Backend) {
    let t = TestApp::new(backend).await;
    let schema = indexes(&t, backend).await;
    let demo = bridgeway::demo::ensure(&t.app, 300)
        .await
        .expect("demo data");
    assert!(!demo.reused);
    assert!(demo.logins.len() >= 10, "10+ staff");
    assert_eq!(t.count("people").await, 300);
    let mut tx = t.app.db.read().await.unwrap();
    let statuses: Vec<String> = crate::fetch!(
        &mut tx,
        fetch_all,
        sqlx::query_scalar("SELECT DISTINCT status FROM cases ORDER BY status")
    )
    .unwrap();
    assert_eq!(
        statuses,
        [
            "active",
            "closed",
            "completed",
            "declined",
            "enrolled",
            "ineligible",
            "referred",
            "screening",
            "suspended",
            "terminated"
        ]
    );
    let orphans: i64 = crate::fetch!(&mut tx, fetch_one, sqlx::query_scalar(
        "SELECT COUNT(*) FROM cases c WHERE NOT EXISTS (SELECT 1 FROM case_status_history h WHERE h.case_id = c.id AND h.to_status = c.status)")).unwrap();
    assert_eq!(orphans, 0, "every case's history ends in its status");
    // The indexes (and PostgreSQL's foreign keys) set aside for the bulk
    // load are all back, as defined.
    assert_eq!(indexes(&t, backend).await, schema);
    let numbers: i64 = crate::fetch!(
        &mut tx,
        fetch_one,
        sqlx::query_scalar("SELECT COUNT(DISTINCT person_number) FROM people")
    )
    .unwrap();
    assert_eq!(numbers, 300);
    // Every case under supervision has a level, conditions and appointments;
    // some are behind, some tests adverse, some visits missed.
    let unsupervised: i64 = crate::fetch!(&mut tx, fetch_one, sqlx::query_scalar(
        "SELECT COUNT(*) FROM cases c WHERE c.status IN ('active', 'suspended') AND (c.supervision_level IS NULL \
         OR NOT EXISTS (SELECT 1 FROM conditions k WHERE k.case_id = c.id) \
         OR NOT EXISTS (SELECT 1 FROM appointments a WHERE a.case_id = c.id))")).unwrap();
    assert_eq!(unsupervised, 0);
    for (what, sql) in [
        ("progress", "SELECT COUNT(*) FROM condition_progress"),
        (
            "missed visits",
            "SELECT COUNT(*) FROM appointments WHERE outcome = 'missed'",
        ),
        (
            "upcoming visits",
            "SELECT COUNT(*) FROM appointments WHERE outcome IS NULL",
        ),
        ("contacts", "SELECT COUNT(*) FROM contacts"),
        (
            "adverse tests",
            "SELECT COUNT(*) FROM drug_tests WHERE adverse",
        ),
        (
            "signed notes",
            "SELECT COUNT(*) FROM case_notes WHERE signed_at IS NOT NULL",
        ),
        (
            "reminders recorded as delivered",
            "SELECT COUNT(*) FROM messages WHERE status = 'delivered' AND sent_at IS NOT NULL",
        ),
        (
            "notes flagged for review",
            "SELECT COUNT(*) FROM case_notes WHERE flags > 0",
        ),
        (
            "completed assessments",
            "SELECT COUNT(*) FROM assessments WHERE completed_at IS NOT NULL",
        ),
        (
            "approved overrides",
            "SELECT COUNT(*) FROM assessment_overrides WHERE decision = 'approved'",
        ),
        (
            "plans reviewed since their first version",
            "SELECT COUNT(*) FROM case_plans WHERE kind = 'review' AND signed_at IS NOT NULL",
        ),
        (
            "high-risk plans countersigned",
            "SELECT COUNT(*) FROM case_plans WHERE countersigned_at IS NOT NULL",
        ),
        (
            "plans the participant did not agree to",
            "SELECT COUNT(*) FROM case_plans WHERE agreement = 'does_not_agree'",
        ),
    ] {
        let n: i64 = crate::fetch!(&mut tx, fetch_one, sqlx::query_scalar(sql)).unwrap();
        assert!(n > 0, "the demo has {what}");
    }
    // Each supervised case's level is the one its assessment recommends
    // (by the default map; an approved override's level where one was).
    let inconsistent: i64 = crate::fetch!(
        &mut tx,
        fetch_one,
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM cases c WHERE c.supervision_level IS NOT NULL AND NOT EXISTS \
             (SELECT 1 FROM assessments a LEFT JOIN assessment_overrides o ON o.assessment_id = \
             a.id AND o.decision = 'approved' WHERE a.case_id = c.id AND CASE COALESCE(o.level, \
             a.level) WHEN 'very_high' THEN 'high' ELSE COALESCE(o.level, a.level) END = \
             c.supervision_level)"
        )
    )
    .unwrap();
    assert_eq!(inconsistent, 0, "levels follow the assessments");
    // Every assessed case has a signed plan whose goals answer needs, with
    // steps that follow the case's conditions.
    let unplanned: i64 = crate::fetch!(
        &mut tx,
        fetch_one,
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM cases c WHERE EXISTS (SELECT 1 FROM assessments a WHERE \
             a.case_id = c.id) AND NOT EXISTS (SELECT 1 FROM case_plans p WHERE p.case_id = c.id \
             AND p.signed_at IS NOT NULL)"
        )
    )
    .unwrap();
    assert_eq!(unplanned, 0, "every assessed case has a plan");
    let plans: Vec<bridgeway::domain::ids::PlanId> = crate::fetch!(
        &mut tx,
        fetch_all,
        sqlx::query_scalar("SELECT id FROM case_plans")
    )
    .unwrap();
    let mut linked = 0;
    for id in plans {
        let plan = bridgeway::store::assessments::case_plans::get(&mut tx, &t.app.keys, id)
            .await
            .unwrap()
            .unwrap();
        assert!(!plan.content.goals.is_empty(), "a plan has goals");
        linked += plan.content.links().count();
    }
    assert!(linked > 0, "steps follow conditions");
    let unindexed = match backend {
        Backend::Sqlite => "SELECT COUNT(*) FROM case_notes n WHERE NOT EXISTS (SELECT 1 FROM note_terms t WHERE t.rowid = n.search_row)",
        Backend::Postgres => "SELECT COUNT(*) FROM case_notes WHERE search IS NULL",
    };
    let unindexed: i64 = crate::fetch!(&mut tx, fetch_one, sqlx::query_scalar(unindexed)).unwrap();
    assert_eq!(unindexed, 0, "every demo note is searchable");
    drop(tx);
    let again = bridgeway::demo::ensure(&t.app, 50).await.expect("reuse");
    assert!(again.reused);
    assert_eq!(again.participants, 300, "an existing demo keeps its size");
    assert_eq!(again.logins, demo.logins);
    assert_eq!(t.count("people").await, 300, "a second run reuses the data");
}

on_both_databases!(the_demo_agency_has_cases_in_every_state);

/// Staff grows with the agency: past the named officers, field units of an
/// officer per 105 participants and a supervisor per eight officers keep
/// caseloads near 70 open cases, however many participants there are; the
/// units work from offices, six to an office.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bigger_demo_agency_has_field_units_and_realistic_caseloads() {
    let t = crate::helpers::TestApp::new(Backend::Sqlite).await;
    bridgeway::demo::ensure(&t.app, 2_500)
        .await
        .expect("generate");
    let mut tx = t.app.db.read().await.unwrap();
    let (officers, supervisors): (i64, i64) = crate::fetch!(
        &mut tx,
        fetch_one,
        sqlx::query_as(
            "SELECT SUM(role = 'officer'), SUM(role = 'supervisor' AND username LIKE 'sup0%') \
             FROM users"
        )
    )
    .unwrap();
    assert_eq!(
        (officers, supervisors),
        (22, 2),
        "8 named + 14 field officers, 2 units"
    );
    let (busiest, mean): (i64, f64) = crate::fetch!(
        &mut tx,
        fetch_one,
        sqlx::query_as(
            "SELECT MAX(n), AVG(n) FROM (SELECT COUNT(*) AS n FROM cases WHERE officer_id IS NOT \
             NULL AND status IN ('referred', 'screening', 'enrolled', 'active', 'suspended') \
             GROUP BY officer_id)"
        )
    )
    .unwrap();
    assert!(
        (55.0..=85.0).contains(&mean),
        "{mean} open cases an officer"
    );
    assert!(busiest <= 110, "the busiest officer carries {busiest}");
    let (offices, in_use, nowhere): (i64, i64, i64) = crate::fetch!(
        &mut tx,
        fetch_one,
        sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM offices), COUNT(DISTINCT office_id), \
             SUM(CASE WHEN office_id IS NULL THEN 1 ELSE 0 END) FROM users"
        )
    )
    .unwrap();
    assert_eq!(
        (offices, in_use, nowhere),
        (5, 2, 0),
        "five offices; the named staff in the first, the two field units in the next"
    );
}
