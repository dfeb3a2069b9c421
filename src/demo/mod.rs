//! `bridgeway demo`: a database of realistic synthetic people, programs,
//! staff and cases in every lifecycle state. Generated from a fixed seed, so
//! two demo databases of the same size hold the same people.

mod assessments;
mod case_plans;
mod names;
mod supervision;

use crate::app::access::auth::{hash_password, Secret};
use crate::app::audit::Origin;
use crate::app::{App, DemoLogin};
use crate::domain::access::users::Role;
use crate::domain::audit::Action;
use crate::domain::casework::cases::{CaseStatus, ExitReason};
use crate::domain::casework::notes::Matcher;
use crate::domain::ids::{CaseId, OfficeId, PersonId, ProgramId, UserId};
use crate::domain::people::{Identifier, IdentifierKind, Language, PersonName};
use crate::domain::programs::{
    Charge, ChargeLevel, EligibilityRules, ProgramKind, Referral, ScreeningResult,
};
use crate::keyring::KeyRing;
use crate::store::access::users::{self as user_store, NewUser};
use crate::store::casework::cases::{self as case_store, CaseFields, NewCase, StatusChange};
use crate::store::casework::conditions::TemplateRow;
use crate::store::offices::{self as office_store, OfficeFields};
use crate::store::people::{self as people_store, NewPerson, PersonFields};
use crate::store::programs::{self as program_store, ProgramFields};
use crate::store::{audit, Tx};
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Utc};
use names::pick;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::io::Write;

/// The one password of every demo account (the sign-in page of a demo database shows it).
pub const DEMO_PASSWORD: &str = "bridgeway-demo-2026";

/// The authenticator secret every demo account is enrolled with (base32):
/// add it to an authenticator app, or read the current code off the sign-in page.
pub const DEMO_TOTP_SECRET: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

#[allow(clippy::expect_used, reason = "a constant secret, valid base32")]
pub fn demo_totp() -> crate::domain::access::mfa::TotpKey {
    crate::domain::access::mfa::TotpKey::from_base32(DEMO_TOTP_SECRET)
        .expect("the demo secret is valid base32")
}

const BATCH: usize = 2_000;

/// Participants per officer: with the demo's mix of cases (about 1.15 a
/// participant, half of them still open) an officer carries about 70 open
/// cases (measured: 52 at 80 participants an officer), as real caseloads run.
const PARTICIPANTS_PER_OFFICER: usize = 105;

/// Officers per supervisor in the generated field units.
const OFFICERS_PER_SUPERVISOR: usize = 8;

/// Field units an office houses: about 50 officers.
const UNITS_PER_OFFICE: usize = 6;

/// The demo agency's first offices (the named staff work in the first);
/// further ones are numbered.
const OFFICES: &[(&str, &str, &str)] = &[
    ("Central Office", "400 Main St", "555-0100"),
    ("Northside District Office", "2150 Elm Ave", "555-0140"),
    ("Southside District Office", "780 Oak Blvd", "555-0160"),
    ("Eastside District Office", "1320 Maple Rd", "555-0180"),
    ("Westside District Office", "95 Cedar Ct", "555-0120"),
];

/// The counter that marks a demo database, holding how many participants it has.
const DEMO_COUNTER: &str = "demo";

struct Staff {
    username: &'static str,
    full_name: &'static str,
    role: Role,
    supervisor: Option<&'static str>,
    court: Option<&'static str>,
}

const STAFF: &[Staff] = &[
    Staff {
        username: "admin",
        full_name: "Alex Morgan",
        role: Role::Admin,
        supervisor: None,
        court: None,
    },
    Staff {
        username: "supervisor",
        full_name: "Dana Whitfield",
        role: Role::Supervisor,
        supervisor: None,
        court: None,
    },
    Staff {
        username: "rvega",
        full_name: "Rosa Vega",
        role: Role::Supervisor,
        supervisor: None,
        court: None,
    },
    Staff {
        username: "officer",
        full_name: "Marcus Reed",
        role: Role::Officer,
        supervisor: Some("supervisor"),
        court: None,
    },
    Staff {
        username: "jkim",
        full_name: "Jenny Kim",
        role: Role::Officer,
        supervisor: Some("supervisor"),
        court: None,
    },
    Staff {
        username: "tobrien",
        full_name: "Tom O'Brien",
        role: Role::Officer,
        supervisor: Some("supervisor"),
        court: None,
    },
    Staff {
        username: "lgarcia",
        full_name: "Luis García",
        role: Role::Officer,
        supervisor: Some("supervisor"),
        court: None,
    },
    Staff {
        username: "aokafor",
        full_name: "Ada Okafor",
        role: Role::Officer,
        supervisor: Some("rvega"),
        court: None,
    },
    Staff {
        username: "pnguyen",
        full_name: "Phuong Nguyen",
        role: Role::Officer,
        supervisor: Some("rvega"),
        court: None,
    },
    Staff {
        username: "bwalker",
        full_name: "Brian Walker",
        role: Role::Officer,
        supervisor: Some("rvega"),
        court: None,
    },
    Staff {
        username: "shill",
        full_name: "Sara Hill",
        role: Role::Officer,
        supervisor: Some("rvega"),
        court: None,
    },
    Staff {
        username: "court",
        full_name: "Elena Park",
        role: Role::Court,
        supervisor: None,
        court: Some(COURTS[0]),
    },
    Staff {
        username: "auditor",
        full_name: "Irene Fox",
        role: Role::Auditor,
        supervisor: None,
        court: None,
    },
    Staff {
        username: "provider",
        full_name: "New Paths Counseling",
        role: Role::Provider,
        supervisor: None,
        court: None,
    },
];

const COURTS: [&str; 4] = [
    "Superior Court, Dept. 3",
    "Superior Court, Dept. 7",
    "Municipal Court, Division 2",
    "Drug Treatment Court",
];
const JUDGES: &[&str] = &[
    "Hon. Maria Delgado",
    "Hon. Robert Chen",
    "Hon. Patricia Greene",
    "Hon. Samuel Osei",
    "Hon. Linda Novak",
];
const PROSECUTORS: &[&str] = &[
    "DDA Kevin Shah",
    "DDA Laura Bishop",
    "ADA Marcus Bell",
    "DDA Nina Alvarez",
];
const SOURCES: &[&str] = &[
    "Superior Court",
    "District Attorney",
    "Municipal Court",
    "Police Department",
    "Pretrial Services Unit",
];

struct ProgramSeed {
    kind: ProgramKind,
    name: &'static str,
    days: i32,
    unit: &'static str,
    rules: fn() -> EligibilityRules,
    court: &'static str,
}

const PROGRAMS: &[ProgramSeed] = &[
    ProgramSeed {
        kind: ProgramKind::Probation,
        name: "Adult Felony Probation",
        days: 1095,
        unit: "Adult Field Services",
        rules: || EligibilityRules {
            min_age: Some(18),
            ..Default::default()
        },
        court: COURTS[0],
    },
    ProgramSeed {
        kind: ProgramKind::Probation,
        name: "Misdemeanor Probation",
        days: 365,
        unit: "Misdemeanor Unit",
        rules: || EligibilityRules {
            excluded_levels: vec![ChargeLevel::Felony],
            min_age: Some(18),
            ..Default::default()
        },
        court: COURTS[2],
    },
    ProgramSeed {
        kind: ProgramKind::Pretrial,
        name: "Pretrial Supervision",
        days: 180,
        unit: "Pretrial Services",
        rules: EligibilityRules::default,
        court: COURTS[1],
    },
    ProgramSeed {
        kind: ProgramKind::Diversion,
        name: "First-Offender Diversion (DA)",
        days: 270,
        unit: "Prosecutor Diversion Unit",
        rules: || EligibilityRules {
            excluded_levels: vec![ChargeLevel::Felony],
            exclude_violent: true,
            excluded_statutes: vec!["VC 23152*".into()],
            min_age: Some(18),
            max_prior_convictions: Some(0),
            victim_consent_required: true,
            ..Default::default()
        },
        court: COURTS[2],
    },
    ProgramSeed {
        kind: ProgramKind::Diversion,
        name: "Drug Court Diversion",
        days: 540,
        unit: "Treatment Court Team",
        rules: || EligibilityRules {
            exclude_violent: true,
            excluded_statutes: vec!["HS 11352*".into(), "HS 11379*".into()],
            min_age: Some(18),
            max_prior_convictions: Some(3),
            ..Default::default()
        },
        court: COURTS[3],
    },
];

/// Makes sure the database holds the demo data (generating it on first use)
/// and returns the demo log-ins.
/// A demo database ready to serve: its accounts, how many participants it
/// holds, and whether it was there already.
pub struct Demo {
    pub logins: Vec<DemoLogin>,
    pub participants: i64,
    pub reused: bool,
}

/// Generates the demo agency with `participants` people, or reuses the
/// demo a database already holds (whatever its size).
pub async fn ensure(app: &App, participants: usize) -> anyhow::Result<Demo> {
    let logins = STAFF
        .iter()
        .map(|s| DemoLogin {
            username: s.username.to_owned(),
            password: DEMO_PASSWORD.to_owned(),
            role: s.role,
            full_name: s.full_name.to_owned(),
        })
        .collect();
    let mut tx = app.db.read().await?;
    let seeded = crate::store::sql::counter(&mut tx, DEMO_COUNTER).await?;
    drop(tx);
    if let Some(n) = seeded {
        return Ok(Demo {
            logins,
            participants: n,
            reused: true,
        });
    }
    let has_users = {
        let mut tx = app.db.read().await?;
        user_store::count(&mut tx).await?
    };
    anyhow::ensure!(
        has_users == 0,
        "this database already holds real accounts; point the demo at a new database \
         (--database-url)"
    );
    generate(app, participants).await?;
    Ok(Demo {
        logins,
        participants: i64::try_from(participants)?,
        reused: false,
    })
}

async fn generate(app: &App, participants: usize) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let mut rng = StdRng::seed_from_u64(20_261_123);
    let hash = hash_password(Secret::new(DEMO_PASSWORD)).await?;
    let at = app.now();

    let mut tx = app.db.write().await?;
    let offices = insert_offices(&mut tx, at, &mut rng, participants).await?;
    let staff = insert_staff(&mut tx, &app.keys, &hash, at).await?;
    for id in &staff {
        user_store::set_office(&mut tx, *id, offices.first().copied()).await?;
    }
    let field_officers = insert_field_units(
        &mut tx,
        &app.keys,
        &hash,
        at,
        &mut rng,
        participants,
        &offices,
    )
    .await?;
    let programs = insert_programs(&mut tx, at).await?;
    let kinds: Vec<(ProgramId, ProgramKind)> =
        programs.iter().map(|(id, p)| (*id, p.kind)).collect();
    let templates = supervision::insert_templates(&mut tx, &kinds).await?;
    tx.commit().await?;
    let standard: Vec<ProgramPlan> = programs
        .iter()
        .zip(&templates)
        .map(|((id, p), t)| (*id, t.as_slice(), reassess_months(p.kind)))
        .collect();

    let supervisors: Vec<UserId> = STAFF
        .iter()
        .zip(&staff)
        .filter(|(s, _)| s.role == Role::Supervisor)
        .map(|(_, id)| *id)
        .collect();
    let screener = assessments::load_shipped(app, supervisors).await?;
    let officers: Vec<UserId> = STAFF
        .iter()
        .zip(&staff)
        .filter(|(s, _)| matches!(s.role, Role::Officer | Role::Supervisor))
        .map(|(_, id)| *id)
        .chain(field_officers)
        .collect();
    let mut load = crate::store::bulk::start(&app.db).await?;
    let mut done = 0;
    let mut next_report = 0;
    while done < participants {
        let n = BATCH.min(participants - done);
        let moment = supervision::Moment {
            now: app.now(),
            zone: app.settings.zone(),
        };
        let mut batch = Batch::default();
        for i in done..done + n {
            batch.add_participant(&mut rng, i, &programs, &officers, &moment);
        }
        batch.supervise(&mut rng, &standard, &moment, &screener);
        let mut tx = app.db.write().await?;
        batch
            .store(&mut tx, &app.keys, &app.lexicon, &screener, app.now())
            .await?;
        tx.commit().await?;
        done += n;
        if done * 20 / participants.max(1) >= next_report || done == participants {
            next_report = done * 20 / participants.max(1) + 1;
            eprint!(
                "\rGenerating demo data: {done}/{participants} participants ({:.0}%)",
                done as f64 * 100.0 / participants as f64
            );
            let _ = std::io::stderr().flush();
        }
    }
    eprintln!();
    let indexing = std::time::Instant::now();
    load.build_indexes(&app.db).await?;
    // PostgreSQL plans the history's reads by statistics: gather them first.
    app.db.analyze().await?;
    eprintln!(
        "Built the indexes in {:.1} s.",
        indexing.elapsed().as_secs_f64()
    );
    // Planned through the indexes: without them each slice's reads joined
    // by scanning (minutes at 100,000 participants).
    let history_started = std::time::Instant::now();
    let reminders = reminder_history(app).await?;
    let history_took = history_started.elapsed().as_secs_f64();
    eprintln!("Recorded {reminders} reminders sent over the past week ({history_took:.1} s).");
    let mut tx = app.db.write().await?;
    crate::store::sql::create_counter(&mut tx, DEMO_COUNTER, participants as i64).await?;
    let event = Action::DemoGenerate.because(format!("{participants} participants"));
    crate::app::audit::write(
        &mut tx,
        Origin::system("cli"),
        audit::Outcome::Success,
        event,
    );
    tx.commit().await?;
    let sweep_started = std::time::Instant::now();
    let alerts = crate::app::casework::alerts::sweep_all(app)
        .await
        .map_err(|e| anyhow::anyhow!("raising the demo's alerts: {e}"))?;
    eprintln!(
        "Raised {alerts} alerts ({:.1} s).",
        sweep_started.elapsed().as_secs_f64()
    );
    load.finish(&app.db).await?;
    app.db.analyze().await?;
    eprintln!(
        "Generated {participants} participants in {:.1} s.",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The reminders and follow-ups the agency's gateways would have sent in
/// the past week, by every channel each participant agreed to, recorded as
/// delivered. (The demo configures no gateway, so nothing is sent.) Planned
/// and stored a day at a time, so memory holds one day's messages.
async fn reminder_history(app: &App) -> anyhow::Result<u64> {
    use crate::app::outreach::reminders::{gather, Window};
    use crate::domain::outreach::messages::Status;
    const SLICE_HOURS: i64 = 24;
    let week_ago = app.now() - chrono::Duration::days(7);
    let mut stored = 0;
    for slice in 0..7 * 24 / SLICE_HOURS {
        let window = Window {
            after: week_ago + chrono::Duration::hours(slice * SLICE_HOURS),
            until: week_ago + chrono::Duration::hours((slice + 1) * SLICE_HOURS),
            pending_only: false,
            sms: true,
            email: true,
        };
        let mut tx = app.db.write().await?;
        let planned = gather(&mut tx, app, &window)
            .await
            .map_err(|e| anyhow::anyhow!("planning the demo's reminders: {e}"))?;
        let rows: Vec<_> = planned
            .iter()
            .map(|p| p.message(Status::Delivered))
            .collect();
        stored += crate::store::outreach::messages::insert_many(&mut tx, &app.keys, &rows).await?;
        tx.commit().await?;
    }
    Ok(stored)
}

async fn insert_staff(
    tx: &mut Tx,
    keys: &KeyRing,
    hash: &str,
    at: DateTime<Utc>,
) -> anyhow::Result<Vec<UserId>> {
    let mut ids: Vec<UserId> = Vec::new();
    for s in STAFF {
        let id = UserId::new();
        // Supervisors are listed before their officers.
        let supervisor = s.supervisor.and_then(|name| {
            STAFF
                .iter()
                .zip(&ids)
                .find(|(o, _)| o.username == name)
                .map(|(_, id)| *id)
        });
        user_store::insert(
            tx,
            NewUser {
                id,
                username: s.username,
                full_name: s.full_name,
                role: s.role,
                password_hash: hash,
                supervisor_id: supervisor,
                court: s.court,
                password_change_required: false,
                now: at,
            },
        )
        .await?;
        crate::app::access::mfa::enrol_with(tx, keys, id, &demo_totp()).await?;
        ids.push(id);
    }
    Ok(ids)
}

/// Officers the demo generates beyond the named staff, so that caseloads
/// stay realistic however many participants it has: an officer per
/// `PARTICIPANTS_PER_OFFICER` participants.
fn field_officers(participants: usize) -> usize {
    let named = STAFF
        .iter()
        .filter(|s| matches!(s.role, Role::Officer | Role::Supervisor))
        .count();
    participants
        .div_ceil(PARTICIPANTS_PER_OFFICER)
        .saturating_sub(named)
}

/// The agency's offices: the named ones, and as many more as its field
/// units need (`UNITS_PER_OFFICE`), numbered, on the demo's streets.
async fn insert_offices(
    tx: &mut Tx,
    at: DateTime<Utc>,
    rng: &mut StdRng,
    participants: usize,
) -> anyhow::Result<Vec<OfficeId>> {
    let units = field_officers(participants).div_ceil(OFFICERS_PER_SUPERVISOR);
    // The first office holds the named staff; the field units follow.
    let count = (1 + units.div_ceil(UNITS_PER_OFFICE)).max(OFFICES.len());
    let mut ids = Vec::with_capacity(count);
    for n in 0..count {
        let fields = match OFFICES.get(n) {
            Some((name, address, phone)) => OfficeFields {
                name: (*name).to_owned(),
                address: Some((*address).to_owned()),
                phone: Some((*phone).to_owned()),
                active: true,
            },
            None => OfficeFields {
                name: format!("District Office {}", n + 1),
                address: Some(format!(
                    "{} {} Ave",
                    rng.gen_range(100..9999),
                    pick(rng, names::STREETS)
                )),
                phone: Some(format!("555-{:04}", rng.gen_range(200..10_000))),
                active: true,
            },
        };
        let id = OfficeId::new();
        office_store::insert(tx, id, &fields, at).await?;
        ids.push(id);
    }
    Ok(ids)
}

/// The agency's field units: a supervisor per `OFFICERS_PER_SUPERVISOR`
/// officers, `UNITS_PER_OFFICE` units an office (the first office after
/// the named staff's). Returns the officers.
async fn insert_field_units(
    tx: &mut Tx,
    keys: &KeyRing,
    hash: &str,
    at: DateTime<Utc>,
    rng: &mut StdRng,
    participants: usize,
    offices: &[OfficeId],
) -> anyhow::Result<Vec<UserId>> {
    let extra = field_officers(participants);
    let mut officers = Vec::with_capacity(extra);
    let mut supervisor = None;
    for n in 0..extra {
        let unit = n / OFFICERS_PER_SUPERVISOR;
        let office = offices
            .get((1 + unit / UNITS_PER_OFFICE) % offices.len().max(1))
            .copied();
        if n % OFFICERS_PER_SUPERVISOR == 0 {
            let username = format!("sup{:04}", unit + 1);
            let id = insert_field_user(tx, keys, hash, at, rng, username, None).await?;
            user_store::set_office(tx, id, office).await?;
            supervisor = Some(id);
        }
        let username = format!("po{:05}", n + 1);
        let id = insert_field_user(tx, keys, hash, at, rng, username, supervisor).await?;
        user_store::set_office(tx, id, office).await?;
        officers.push(id);
    }
    Ok(officers)
}

/// One generated member of staff: an officer under `supervisor`, or a
/// supervisor when there is none.
async fn insert_field_user(
    tx: &mut Tx,
    keys: &KeyRing,
    hash: &str,
    at: DateTime<Utc>,
    rng: &mut StdRng,
    username: String,
    supervisor: Option<UserId>,
) -> anyhow::Result<UserId> {
    let id = UserId::new();
    let full_name = format!("{} {}", pick(rng, names::FIRST), pick(rng, names::LAST));
    user_store::insert(
        tx,
        NewUser {
            id,
            username: &username,
            full_name: &full_name,
            role: if supervisor.is_some() {
                Role::Officer
            } else {
                Role::Supervisor
            },
            password_hash: hash,
            password_change_required: false,
            supervisor_id: supervisor,
            court: None,
            now: at,
        },
    )
    .await?;
    crate::app::access::mfa::enrol_with(tx, keys, id, &demo_totp()).await?;
    Ok(id)
}

/// A program's standard conditions and its reassessment rule.
type ProgramPlan<'a> = (ProgramId, &'a [TemplateRow], Option<u32>);

/// Probation and diversion reassess twice a year; pretrial has no rule.
fn reassess_months(kind: ProgramKind) -> Option<u32> {
    (kind != ProgramKind::Pretrial).then_some(6)
}

async fn insert_programs(
    tx: &mut Tx,
    at: DateTime<Utc>,
) -> anyhow::Result<Vec<(ProgramId, &'static ProgramSeed)>> {
    let mut out = Vec::new();
    for p in PROGRAMS {
        let id = ProgramId::new();
        let fields = ProgramFields {
            kind: p.kind,
            name: p.name.into(),
            default_length_days: p.days,
            supervising_unit: p.unit.into(),
            eligibility: (p.rules)(),
            active: true,
            reassess_months: reassess_months(p.kind).map(i32::try_from).transpose()?,
        };
        program_store::insert(tx, id, &fields, at).await?;
        out.push((id, p));
    }
    Ok(out)
}

fn person(
    rng: &mut StdRng,
    i: usize,
    today: NaiveDate,
) -> (PersonFields, Vec<Identifier>, Vec<PersonName>) {
    let spanish = rng.gen_bool(0.18);
    let first = if spanish {
        pick(rng, names::FIRST_ES)
    } else {
        pick(rng, names::FIRST)
    };
    let last = if spanish {
        pick(rng, names::LAST_ES)
    } else {
        pick(rng, names::LAST)
    };
    let age_days = rng.gen_range(18 * 365..68 * 365);
    let dob = today - Duration::days(age_days);
    let phone = rng.gen_bool(0.85).then(|| {
        format!(
            "(555) {:03}-{:04}",
            rng.gen_range(200..999),
            rng.gen_range(0..9999)
        )
    });
    let email = rng.gen_bool(0.55).then(|| {
        format!(
            "{}.{}{}@example.org",
            first.to_lowercase(),
            last.to_lowercase().replace(' ', ""),
            i
        )
    });
    let fields = PersonFields {
        name: PersonName {
            first: (*first).into(),
            middle: rng
                .gen_bool(0.4)
                .then(|| pick(rng, names::FIRST).to_string()),
            last: (*last).into(),
        },
        date_of_birth: dob,
        may_text: phone.is_some() && rng.gen_bool(0.8),
        may_email: email.is_some() && rng.gen_bool(0.6),
        phone,
        email,
        address: Some(format!(
            "{} {} {}",
            rng.gen_range(100..9999),
            pick(rng, names::STREETS),
            pick(rng, &["St", "Ave", "Blvd", "Rd", "Ct"])
        )),
        preferred_language: if spanish && rng.gen_bool(0.6) {
            Language::Spanish
        } else {
            Language::English
        },
        race: Some(
            pick(
                rng,
                &[
                    "White",
                    "Black or African American",
                    "Asian",
                    "American Indian or Alaska Native",
                    "Two or more races",
                    "Unknown",
                ],
            )
            .to_string(),
        ),
        ethnicity: Some(
            if spanish {
                "Hispanic or Latino"
            } else {
                pick(
                    rng,
                    &[
                        "Not Hispanic or Latino",
                        "Not Hispanic or Latino",
                        "Unknown",
                    ],
                )
            }
            .to_string(),
        ),
        sex: Some(pick(rng, &["Male", "Male", "Female"]).to_string()),
    };
    let mut ids = vec![Identifier {
        kind: IdentifierKind::StateId,
        value: format!("SID{:08}", 10_000_000 + i),
    }];
    if rng.gen_bool(0.4) {
        ids.push(Identifier {
            kind: IdentifierKind::FbiNumber,
            value: format!("FBI{:07}{}", i, rng.gen_range(10..99)),
        });
    }
    let aliases = if rng.gen_bool(0.1) {
        vec![PersonName {
            first: pick(rng, names::FIRST).to_string(),
            middle: None,
            last: (*last).into(),
        }]
    } else {
        Vec::new()
    };
    (fields, ids, aliases)
}

/// A lifecycle path ending in a status, weighted like a real caseload.
fn path(rng: &mut StdRng) -> (Vec<CaseStatus>, Option<ExitReason>) {
    use CaseStatus::*;
    let roll = rng.gen_range(0..100);
    let (path, exit): (&[CaseStatus], Option<ExitReason>) = match roll {
        0..=1 => (&[], None),
        2..=5 => (&[Screening], None),
        6..=8 => (&[Screening, Ineligible], None),
        9..=10 => (&[Screening, Declined], None),
        11..=13 => (&[Screening, Enrolled], None),
        14..=58 => (&[Screening, Enrolled, Active], None),
        59..=63 => (&[Screening, Enrolled, Active, Suspended], None),
        64..=78 => (
            &[Screening, Enrolled, Active, Completed],
            Some(*pick(
                rng,
                &[
                    ExitReason::Successful,
                    ExitReason::Successful,
                    ExitReason::EarlyDischarge,
                ],
            )),
        ),
        79..=90 => (
            &[Screening, Enrolled, Active, Terminated],
            Some(*pick(
                rng,
                &[
                    ExitReason::Revoked,
                    ExitReason::NewOffense,
                    ExitReason::Absconded,
                    ExitReason::NonCompliance,
                ],
            )),
        ),
        _ => (
            &[Screening, Enrolled, Active, Closed],
            Some(*pick(
                rng,
                &[
                    ExitReason::Transferred,
                    ExitReason::Administrative,
                    ExitReason::Warrant,
                    ExitReason::Deceased,
                ],
            )),
        ),
    };
    (path.to_vec(), exit)
}

fn reason_for(status: CaseStatus) -> &'static str {
    match status {
        CaseStatus::Referred => "referral received",
        CaseStatus::Screening => "screened at intake",
        CaseStatus::Ineligible => "does not meet program criteria",
        CaseStatus::Declined => "participant declined to take part",
        CaseStatus::Enrolled => "orientation completed, conditions signed",
        CaseStatus::Active => "supervision started",
        CaseStatus::Suspended => "bench warrant issued after missed court date",
        CaseStatus::Completed => "all conditions met",
        CaseStatus::Terminated => "returned to court",
        CaseStatus::Closed => "case closed",
    }
}

/// One batch of generated participants, stored with a few multi-row inserts.
#[derive(Default)]
struct Batch {
    people: Vec<(PersonId, PersonFields, Vec<Identifier>, Vec<PersonName>)>,
    cases: Vec<SeedCase>,
    supervision: supervision::History,
}

struct SeedCase {
    id: CaseId,
    person_id: PersonId,
    program_id: ProgramId,
    status: CaseStatus,
    fields: CaseFields,
    charges: Vec<Charge>,
    screening: Option<ScreeningResult>,
    screening_override: Option<&'static str>,
    exit_reason: Option<ExitReason>,
    created: DateTime<Utc>,
    /// (status, when), from referral on.
    history: Vec<(CaseStatus, DateTime<Utc>)>,
}

impl Batch {
    /// Supervision history for the batch's cases under supervision.
    fn supervise(
        &mut self,
        rng: &mut StdRng,
        standard: &[ProgramPlan<'_>],
        moment: &supervision::Moment,
        screener: &assessments::Screener,
    ) {
        for c in &self.cases {
            let under_way = matches!(c.status, CaseStatus::Active | CaseStatus::Suspended);
            let (Some(started), Some(officer), true) =
                (c.fields.start_date, c.fields.officer_id, under_way)
            else {
                continue;
            };
            let (templates, reassess_months) = standard
                .iter()
                .find(|(id, _, _)| *id == c.program_id)
                .map_or((&[][..], None), |(_, t, r)| (*t, *r));
            let case = supervision::Supervised {
                id: c.id,
                started,
                officer,
                templates,
                drug_court: c.fields.court.as_deref() == Some("Drug Treatment Court"),
                reassess_months,
            };
            self.supervision.add(rng, &case, moment, screener);
        }
    }

    fn add_participant(
        &mut self,
        rng: &mut StdRng,
        i: usize,
        programs: &[(ProgramId, &ProgramSeed)],
        officers: &[UserId],
        moment: &supervision::Moment,
    ) {
        let (fields, ids, aliases) = person(rng, i, moment.today());
        let person_id = PersonId::new();
        let cases = if rng.gen_bool(0.15) { 2 } else { 1 };
        for _ in 0..cases {
            let case = seed_case(
                rng,
                person_id,
                fields.date_of_birth,
                programs,
                officers,
                moment,
            );
            self.cases.push(case);
        }
        self.people.push((person_id, fields, ids, aliases));
    }

    async fn store(
        &self,
        tx: &mut Tx,
        keys: &KeyRing,
        lexicon: &Matcher,
        screener: &assessments::Screener,
        at: DateTime<Utc>,
    ) -> anyhow::Result<()> {
        let first_person =
            crate::store::sql::reserve_counter(tx, "person", self.people.len() as i64).await?;
        let people: Vec<NewPerson> = (first_person..)
            .zip(&self.people)
            .map(|(n, (id, fields, _, _))| NewPerson {
                id: *id,
                number: people_store::person_number(n),
                fields,
            })
            .collect();
        people_store::insert_many(tx, &people, at).await?;
        let ids: Vec<(PersonId, &Identifier)> = self
            .people
            .iter()
            .flat_map(|(p, _, ids, _)| ids.iter().map(move |i| (*p, i)))
            .collect();
        people_store::insert_identifiers(tx, keys, &ids).await?;
        let aliases: Vec<(PersonId, &PersonName)> = self
            .people
            .iter()
            .flat_map(|(p, _, _, a)| a.iter().map(move |n| (*p, n)))
            .collect();
        people_store::insert_aliases(tx, &aliases).await?;

        let first_case =
            crate::store::sql::reserve_counter(tx, "case", self.cases.len() as i64).await?;
        let cases: Vec<NewCase> = (first_case..)
            .zip(&self.cases)
            .map(|(n, c)| NewCase {
                id: c.id,
                case_number: case_store::case_number(c.fields.referral_date.year(), n),
                person_id: c.person_id,
                program_id: c.program_id,
                status: c.status,
                fields: &c.fields,
                screening: c.screening.as_ref(),
                screening_override: c.screening_override,
                exit_reason: c.exit_reason,
                now: c.created,
            })
            .collect();
        case_store::insert_many(tx, &cases).await?;
        let charges: Vec<(CaseId, i32, &Charge)> = self
            .cases
            .iter()
            .flat_map(|c| (0..).zip(&c.charges).map(move |(i, ch)| (c.id, i, ch)))
            .collect();
        case_store::insert_charge_rows(tx, &charges).await?;
        let changes: Vec<(CaseId, StatusChange)> = self
            .cases
            .iter()
            .flat_map(|c| {
                let froms = std::iter::once(None).chain(c.history.iter().map(|(s, _)| Some(*s)));
                c.history.iter().zip(froms).map(move |((to, when), from)| {
                    (
                        c.id,
                        StatusChange {
                            from,
                            to: *to,
                            exit_reason: if to.is_final() { c.exit_reason } else { None },
                            reason: reason_for(*to),
                            actor: c.fields.officer_id,
                            at: *when,
                            start_date: None,
                        },
                    )
                })
            })
            .collect();
        let rows: Vec<(CaseId, &StatusChange)> = changes.iter().map(|(id, ch)| (*id, ch)).collect();
        case_store::record_histories(tx, &rows).await?;
        self.supervision
            .store(tx, keys, lexicon, screener, at)
            .await?;
        Ok(())
    }
}

fn seed_case(
    rng: &mut StdRng,
    person_id: PersonId,
    dob: NaiveDate,
    programs: &[(ProgramId, &ProgramSeed)],
    officers: &[UserId],
    moment: &supervision::Moment,
) -> SeedCase {
    let today = moment.today();
    let (program_id, seed) = *pick(rng, programs);
    let (steps, exit) = path(rng);
    let final_status = steps.last().copied().unwrap_or(CaseStatus::Referred);
    let days_ago = if final_status.is_open() {
        rng.gen_range(5..i64::from(seed.days))
    } else {
        rng.gen_range(i64::from(seed.days) / 2..i64::from(seed.days) * 2)
    };
    let referral_date = today - Duration::days(days_ago);
    let charges: Vec<Charge> = (0..rng.gen_range(1..=3))
        .map(|_| pick(rng, names::CHARGES).charge(rng, referral_date))
        .collect();
    let started = steps
        .contains(&CaseStatus::Active)
        .then(|| (referral_date + Duration::days(rng.gen_range(7..30))).min(today));
    let court = if rng.gen_bool(0.7) {
        seed.court
    } else {
        *pick(rng, &COURTS)
    };
    let prefix = if seed.kind == ProgramKind::Diversion {
        "DV"
    } else {
        "CR"
    };
    let fields = CaseFields {
        referral_source: pick(rng, SOURCES).to_string(),
        referral_date,
        court: Some(court.into()),
        docket_number: Some(format!(
            "{prefix}-{}-{:06}",
            referral_date.year(),
            rng.gen_range(1..999_999)
        )),
        judge: Some(pick(rng, JUDGES).to_string()),
        prosecutor: Some(pick(rng, PROSECUTORS).to_string()),
        prior_convictions: Some(*pick(rng, &[0, 0, 0, 1, 1, 2, 3, 5])),
        victim_consent: (seed.kind == ProgramKind::Diversion).then(|| rng.gen_bool(0.85)),
        start_date: started,
        expected_end_date: started.map(|s| s + Duration::days(i64::from(seed.days))),
        officer_id: (final_status != CaseStatus::Referred).then(|| *pick(rng, officers)),
    };
    let screening = (!steps.is_empty()).then(|| {
        (seed.rules)().screen(&Referral {
            charges: &charges,
            age: crate::domain::people::age_on(dob, referral_date),
            prior_convictions: fields.prior_convictions.and_then(|n| u32::try_from(n).ok()),
            victim_consent: fields.victim_consent,
        })
    });
    let overridden =
        screening.as_ref().is_some_and(|s| !s.eligible) && steps.contains(&CaseStatus::Enrolled);
    let created = to_time(referral_date);
    // Screening and enrolment take days; supervision starts on the case's
    // start date; later changes come weeks apart.
    let start = started.map(to_time);
    let mut when = created;
    let mut history = Vec::new();
    for status in std::iter::once(CaseStatus::Referred).chain(steps.iter().copied()) {
        if status == CaseStatus::Active {
            when = start.map_or(when, |s| s.max(when));
        }
        history.push((status, when.min(moment.now)));
        let supervising = start.is_none_or(|s| when >= s);
        when += Duration::days(if supervising {
            rng.gen_range(3..40)
        } else {
            rng.gen_range(1..=3)
        });
    }
    SeedCase {
        id: CaseId::new(),
        person_id,
        program_id,
        status: final_status,
        fields,
        charges,
        screening,
        screening_override: overridden.then_some("judge ordered participation"),
        exit_reason: exit,
        created,
        history,
    }
}

/// Half past three in the afternoon (UTC) on `d`.
fn to_time(d: NaiveDate) -> DateTime<Utc> {
    (d.and_time(NaiveTime::MIN) + Duration::minutes(15 * 60 + 30)).and_utc()
}
