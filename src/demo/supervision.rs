//! The demo agency's supervision: each program's standard conditions, and
//! for every case under supervision a level, conditions with progress (some
//! behind), appointments (some missed, some today), contacts and drug tests.

use super::assessments::{Assessed, Screener};
use super::case_plans::{Basis, Planned};
use super::names::pick;
use crate::domain::casework::conditions::{ConditionKind, Quantity, Unit, Verification};
use crate::domain::casework::drug_tests::{
    adverse, Collection, Specimen, SubstanceLine, SubstanceResult,
};
use crate::domain::casework::notes::{index_terms, Matcher, NoteKind};
use crate::domain::casework::supervision::{
    local_to_utc, AppointmentKind, Collateral, ContactKind, Outcome, SupervisionLevel,
};
use crate::domain::ids::{
    AppointmentId, CaseId, ConditionId, ContactId, DrugTestId, NoteId, TemplateId, UserId,
};
use crate::domain::programs::ProgramKind;
use crate::keyring::KeyRing;
use crate::store::casework::conditions::{
    self as condition_store, NewCondition, NewProgress, TemplateRow, Terms,
};
use crate::store::casework::drug_tests::{self as test_store, NewDrugTest};
use crate::store::casework::notes::{self as note_store, Blinder, NewNote};
use crate::store::casework::supervision::{self as supervision_store, NewAppointment, NewContact};
use crate::store::Tx;
use chrono::{DateTime, Datelike as _, Duration, NaiveDate, NaiveTime, Utc, Weekday};
use chrono_tz::Tz;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::Rng;

/// When the demo is generated: the instant and the agency's zone. Visits,
/// calls and tests happen in office hours on working days, as they would in
/// the agency.
#[derive(Debug, Clone, Copy)]
pub struct Moment {
    pub now: DateTime<Utc>,
    pub zone: Tz,
}

impl Moment {
    /// The agency's date at `now`.
    pub fn today(&self) -> NaiveDate {
        self.now.with_timezone(&self.zone).date_naive()
    }

    /// A quarter-hour slot between 08:30 and 16:15, local time, on `day`.
    fn office_slot(&self, rng: &mut StdRng, day: NaiveDate) -> DateTime<Utc> {
        let minutes = 8 * 60 + 30 + 15 * rng.gen_range(0..32);
        let time = NaiveTime::MIN + Duration::minutes(minutes);
        local_to_utc(day.and_time(time), self.zone)
    }

    /// A slot on a working day some `days` from today (negative: ago, not
    /// today); a weekend moves to the Friday before or the Monday after,
    /// whichever stays on the same side of today.
    fn working_day_slot(
        &self,
        rng: &mut StdRng,
        days: std::ops::RangeInclusive<i64>,
    ) -> DateTime<Utc> {
        let days = rng.gen_range(days);
        let day = self.today() + Duration::days(days);
        let shift = match (day.weekday(), days < 0) {
            (Weekday::Sat, true) => -1,
            (Weekday::Sun, true) => -2,
            (Weekday::Sat, false) => 2,
            (Weekday::Sun, false) => 1,
            _ => 0,
        };
        self.office_slot(rng, day + Duration::days(shift))
    }
}

/// A program's standard conditions: (kind, title, target, days to complete).
fn standard_conditions(
    kind: ProgramKind,
) -> Vec<(ConditionKind, &'static str, Option<i64>, Option<i32>)> {
    use ConditionKind as K;
    let mut list = vec![
        (
            K::Reporting,
            "Report to your officer as scheduled",
            None,
            None,
        ),
        (
            K::EmploymentSchool,
            "Keep a job or stay in school",
            None,
            None,
        ),
    ];
    match kind {
        ProgramKind::Probation => list.extend([
            (
                K::CommunityService,
                "Community service",
                Some(80),
                Some(300),
            ),
            (K::Fees, "Supervision fees", Some(600), Some(360)),
            (K::Testing, "Random drug and alcohol testing", None, None),
        ]),
        ProgramKind::Pretrial => list.extend([
            (K::Curfew, "Curfew 10 pm to 6 am", None, None),
            (
                K::NoContact,
                "No contact with the complaining witness",
                None,
                None,
            ),
        ]),
        ProgramKind::Diversion => list.extend([
            (
                K::Classes,
                "Cognitive-behavioural programme",
                Some(12),
                Some(120),
            ),
            (
                K::CommunityService,
                "Community service",
                Some(24),
                Some(150),
            ),
            (K::Restitution, "Restitution", Some(350), Some(180)),
        ]),
    }
    list
}

/// Inserts each program's standard conditions and returns them by program.
pub async fn insert_templates(
    tx: &mut Tx,
    programs: &[(crate::domain::ids::ProgramId, ProgramKind)],
) -> anyhow::Result<Vec<Vec<TemplateRow>>> {
    let mut all = Vec::new();
    for (program, kind) in programs {
        let rows: Vec<TemplateRow> = standard_conditions(*kind)
            .into_iter()
            .map(|(kind, title, target, due_days)| TemplateRow {
                id: TemplateId::new(),
                kind,
                title: title.into(),
                target: target
                    .zip(kind.usual_unit())
                    .map(|(t, u)| (Quantity(t * 100), u)),
                due_days,
            })
            .collect();
        condition_store::replace_templates(tx, *program, &rows).await?;
        all.push(rows);
    }
    Ok(all)
}

/// One case under supervision, as the demo generator sees it.
pub struct Supervised<'a> {
    pub id: CaseId,
    pub started: NaiveDate,
    pub officer: UserId,
    pub templates: &'a [TemplateRow],
    pub drug_court: bool,
    /// Months between assessments, if the program has a reassessment rule.
    pub reassess_months: Option<u32>,
}

const SUBSTANCES: &[&str] = &[
    "THC",
    "Cocaine",
    "Methamphetamine",
    "Opiates",
    "Alcohol (EtG)",
];

/// A drug test to store (its results are owned here).
struct TestSeed {
    case: CaseId,
    at: DateTime<Utc>,
    collection: Collection,
    results: Vec<SubstanceLine>,
    by: UserId,
}

/// Everything generated for a batch of cases, inserted with few statements.
#[derive(Default)]
pub struct History {
    levels: Vec<(CaseId, SupervisionLevel)>,
    conditions: Vec<(ConditionId, CaseId, TemplateId, Terms, NaiveDate)>,
    progress: Vec<NewProgress<'static>>,
    appointments: Vec<NewAppointment<'static>>,
    contacts: Vec<NewContact<'static>>,
    notes: Vec<NoteSeed>,
    tests: Vec<TestSeed>,
    assessments: Assessed,
    plans: Planned,
}

/// A signed contact note on an office visit.
struct NoteSeed {
    id: NoteId,
    case: CaseId,
    contact: ContactId,
    at: DateTime<Utc>,
    by: UserId,
    text: String,
}

/// What an officer writes after an office visit; a note takes two or three.
const VISIT_SENTENCES: &[&str] = &[
    "Reported on time and was cooperative.",
    "Employment verified with a recent pay stub.",
    "Still looking for work; gave him the job centre's list of openings.",
    "Attending the cognitive-behavioural group; facilitator reports good participation.",
    "Housing is stable; lives with his sister.",
    "Discussed the payment plan for fees and restitution.",
    "Community service hours logged at the food bank.",
    "Transport is a problem; discussed bus passes.",
    "Treatment provider confirms attendance at counselling.",
    "Reviewed curfew and the no-contact order; no concerns reported.",
    "Enrolled in GED classes at the community college.",
    "Asked about travel to see family next month; told her to submit a request.",
];

/// Sentences naming risk indicators, in a few notes.
const RISK_SENTENCES: &[&str] = &[
    "Admits he relapsed over the weekend after a family argument.",
    "Landlord has served an eviction notice.",
    "Says she was fired from the warehouse on Friday.",
    "Neighbour reported a threat made during an argument.",
];

const NOTES: &[&str] = &[
    "Reported on time; employment verified with pay stub.",
    "Discussed housing search; referred to the county housing navigator.",
    "Participant says the new shift schedule conflicts with class on Tuesdays.",
    "Home visit: residence clean, lives with mother and two children.",
    "Called in to reschedule; transport problems this week.",
    "Employer confirms steady attendance.",
];

fn appointment(
    case: CaseId,
    kind: AppointmentKind,
    starts_at: DateTime<Utc>,
    outcome: Option<Outcome>,
    by: UserId,
) -> NewAppointment<'static> {
    NewAppointment {
        id: AppointmentId::new(),
        case_id: case,
        series_id: None,
        kind,
        starts_at,
        duration_minutes: 30,
        location: Some(match kind {
            AppointmentKind::HomeVisit => "Participant's residence",
            _ => "Main office",
        }),
        created_by: by,
        outcome,
    }
}

fn contact(
    case: CaseId,
    kind: ContactKind,
    at: DateTime<Utc>,
    collateral: Option<Collateral>,
    note: Option<&'static str>,
    by: UserId,
) -> NewContact<'static> {
    NewContact {
        id: ContactId::new(),
        case_id: case,
        kind,
        occurred_at: at,
        place: None,
        collateral,
        collateral_name: None,
        note,
        recorded_by: by,
    }
}

impl History {
    /// A case's supervision history; its level is the one its assessment,
    /// when supervision began, recommends.
    pub fn add(
        &mut self,
        rng: &mut StdRng,
        c: &Supervised<'_>,
        moment: &Moment,
        screener: &Screener,
    ) {
        let assessed_at = moment.now.min(local_to_utc(
            c.started.and_hms_opt(10, 0, 0).unwrap_or_default(),
            moment.zone,
        ));
        let level = self
            .assessments
            .assess(rng, screener, c, assessed_at)
            .unwrap_or(SupervisionLevel::Moderate);
        self.levels.push((c.id, level));
        self.add_conditions(rng, c, moment.today());
        if let Some((assessment, needs)) = self.assessments.latest_of(c.id) {
            // The case's conditions were the last added.
            let conditions: Vec<(ConditionId, ConditionKind)> = self
                .conditions
                .iter()
                .rev()
                .take_while(|(_, case, ..)| *case == c.id)
                .map(|(id, _, _, terms, _)| (*id, terms.kind))
                .collect();
            let basis = Basis {
                case: c,
                assessment,
                needs: &needs,
                conditions: &conditions,
                level,
                assessed_at,
            };
            self.plans
                .plan(rng, screener, &basis, moment.now, moment.today());
        }
        // Reporting: two past office visits, and the next one: for some,
        // today (already seen, or missed, if its time has passed).
        for weeks_ago in [2, 1] {
            let at = moment.working_day_slot(rng, -7 * weeks_ago - 2..=-7 * weeks_ago + 2);
            self.add_visit(rng, c, AppointmentKind::OfficeVisit, at, moment.now);
        }
        let kind = if level == SupervisionLevel::High && rng.gen_bool(0.4) {
            AppointmentKind::HomeVisit
        } else {
            AppointmentKind::OfficeVisit
        };
        let next = if rng.gen_bool(0.08) {
            moment.office_slot(rng, moment.today())
        } else {
            moment.working_day_slot(rng, 1..=14)
        };
        self.add_visit(rng, c, kind, next, moment.now);
        if rng.gen_bool(0.5) {
            let at = moment.working_day_slot(rng, -10..=-1);
            let collateral = rng.gen_bool(0.3).then(|| {
                *pick(
                    rng,
                    &[
                        Collateral::Employer,
                        Collateral::Family,
                        Collateral::Provider,
                    ],
                )
            });
            let note = NOTES.choose(rng).copied();
            self.contacts.push(contact(
                c.id,
                ContactKind::Phone,
                at,
                collateral,
                note,
                c.officer,
            ));
        }
        if c.drug_court || rng.gen_bool(0.3) {
            self.add_test(rng, c, moment);
        }
    }

    /// The program's conditions, with progress at the case's own pace (a
    /// fifth fall behind).
    fn add_conditions(&mut self, rng: &mut StdRng, c: &Supervised<'_>, today: NaiveDate) {
        let elapsed = (today - c.started).num_days().max(0);
        for t in c.templates {
            let id = ConditionId::new();
            let due = t.due_days.map(|d| c.started + Duration::days(i64::from(d)));
            let terms = Terms {
                kind: t.kind,
                title: t.title.clone(),
                details: None,
                target: t.target,
                due_date: due,
            };
            self.conditions.push((id, c.id, t.id, terms, c.started));
            let Some((target, unit)) = t.target else {
                continue;
            };
            let span = i64::from(t.due_days.unwrap_or(365)).max(1);
            let pace = if rng.gen_bool(0.2) {
                rng.gen_range(0.1..0.5)
            } else {
                rng.gen_range(0.8..1.2)
            };
            let due_share = (elapsed as f64 / span as f64).min(1.0);
            let mut remaining = (target.0 as f64 * due_share * pace) as i64;
            let step = match unit {
                Unit::Hours => 400,
                Unit::Sessions => 100,
                Unit::Dollars => 5000,
            };
            let mut day = c.started;
            while remaining > 0 && day < today {
                let amount = remaining.min(step);
                day = (day + Duration::days(rng.gen_range(7..21))).min(today);
                let how = *pick(
                    rng,
                    &[
                        Verification::Provider,
                        Verification::Staff,
                        Verification::Document,
                        Verification::SelfReported,
                    ],
                );
                self.progress.push(NewProgress {
                    condition: id,
                    occurred_on: day,
                    amount: Some(Quantity(amount)),
                    verification: how,
                    note: None,
                    recorded_by: c.officer,
                });
                remaining -= amount;
            }
        }
    }

    /// A recent test: mostly negative, some positive, a few no-shows.
    fn add_test(&mut self, rng: &mut StdRng, c: &Supervised<'_>, moment: &Moment) {
        let at = moment.working_day_slot(rng, -20..=-1);
        let roll: f64 = rng.gen();
        let (collection, results) = if roll < 0.05 {
            (Collection::NoShow, Vec::new())
        } else {
            let positive = roll > 0.88;
            let lines = SUBSTANCES
                .iter()
                .enumerate()
                .map(|(i, s)| SubstanceLine {
                    substance: (*s).into(),
                    result: if positive && i == 0 {
                        SubstanceResult::Positive
                    } else {
                        SubstanceResult::Negative
                    },
                    lab_confirmed: false,
                })
                .collect();
            (Collection::Collected, lines)
        };
        self.tests.push(TestSeed {
            case: c.id,
            at,
            collection,
            results,
            by: c.officer,
        });
    }

    /// A visit at `at`: once its time has passed, mostly attended (a contact,
    /// often with a signed note), sometimes missed.
    fn add_visit(
        &mut self,
        rng: &mut StdRng,
        c: &Supervised<'_>,
        kind: AppointmentKind,
        at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) {
        let outcome = (at < now).then(|| {
            if rng.gen_bool(0.12) {
                Outcome::Missed
            } else {
                Outcome::Attended
            }
        });
        self.appointments
            .push(appointment(c.id, kind, at, outcome, c.officer));
        if outcome == Some(Outcome::Attended) {
            let place = match kind {
                AppointmentKind::HomeVisit => ContactKind::Home,
                _ => ContactKind::Office,
            };
            let visit = contact(c.id, place, at, None, None, c.officer);
            if rng.gen_bool(0.6) {
                self.add_note(rng, c, &visit);
            }
            self.contacts.push(visit);
        }
    }

    fn add_note(&mut self, rng: &mut StdRng, c: &Supervised<'_>, visit: &NewContact<'_>) {
        let count = rng.gen_range(2..=3);
        let mut sentences: Vec<&str> = VISIT_SENTENCES
            .choose_multiple(rng, count)
            .copied()
            .collect();
        if rng.gen_bool(0.03) {
            sentences.push(*pick(rng, RISK_SENTENCES));
        }
        self.notes.push(NoteSeed {
            id: NoteId::new(),
            case: c.id,
            contact: visit.id,
            at: visit.occurred_at + Duration::minutes(20),
            by: c.officer,
            text: sentences.join(" "),
        });
    }

    /// Stores the history; `lexicon` flags the notes that name risk indicators.
    pub async fn store(
        &self,
        tx: &mut Tx,
        keys: &KeyRing,
        lexicon: &Matcher,
        screener: &Screener,
        now: DateTime<Utc>,
    ) -> anyhow::Result<()> {
        self.assessments.store(tx, keys, screener, now).await?;
        self.plans.store(tx, keys, now).await?;
        for level in SupervisionLevel::all() {
            let ids: Vec<CaseId> = self
                .levels
                .iter()
                .filter(|(_, l)| l == level)
                .map(|(id, _)| *id)
                .collect();
            supervision_store::set_level_of_many(tx, *level, &ids).await?;
        }
        let conditions: Vec<NewCondition> = self
            .conditions
            .iter()
            .map(|(id, case, template, terms, start)| NewCondition {
                id: *id,
                case_id: *case,
                template_id: Some(*template),
                terms,
                start_date: *start,
            })
            .collect();
        condition_store::insert_many(tx, keys, &conditions, now).await?;
        condition_store::insert_progress(tx, keys, &self.progress, now).await?;
        supervision_store::insert_appointments(tx, &self.appointments, now).await?;
        supervision_store::insert_contacts(tx, keys, &self.contacts, now).await?;
        let tests: Vec<NewDrugTest> = self
            .tests
            .iter()
            .map(|t| NewDrugTest {
                id: DrugTestId::new(),
                case_id: t.case,
                collected_at: t.at,
                specimen: Specimen::Urine,
                panel: Some("5-panel"),
                chain_of_custody: None,
                outcome: t.collection,
                results: &t.results,
                adverse: adverse(t.collection, &t.results),
                recorded_by: t.by,
            })
            .collect();
        test_store::insert_many(tx, keys, &tests, now).await?;
        self.store_notes(tx, keys, lexicon).await
    }

    async fn store_notes(
        &self,
        tx: &mut Tx,
        keys: &KeyRing,
        lexicon: &Matcher,
    ) -> anyhow::Result<()> {
        let notes: Vec<NewNote> = self
            .notes
            .iter()
            .map(|n| NewNote {
                id: n.id,
                case_id: n.case,
                contact_id: Some(n.contact),
                kind: NoteKind::Contact,
                text: &n.text,
                author_id: n.by,
                written_at: n.at,
                signed_flagged: Some(!lexicon.spans(&n.text).is_empty()),
            })
            .collect();
        note_store::insert_many(tx, keys, &notes).await?;
        let mut blinder = Blinder::new(keys);
        let documents: Vec<(NoteId, String)> = self
            .notes
            .iter()
            .map(|n| (n.id, blinder.document(&index_terms(&n.text))))
            .collect();
        note_store::index(tx, &documents).await?;
        Ok(())
    }
}
