//! Participants: entering, checking for duplicates, viewing, correcting, searching.

use crate::app::{audit, policy, Actor, App, AppError, AppResult};
use crate::config::Demographics;
use crate::domain::audit::Action;
use crate::domain::casework::timeline::{page, Depth, TimelineQuery};
use crate::domain::ids::PersonId;
use crate::domain::input::{RequiredText, Text};
use crate::domain::people::{
    age_on, duplicate_reasons, Candidate, DateOfBirth, Identifier, IdentifierKind, Language,
    NameField, NameTerm, PersonName, Prospect,
};
use crate::domain::validation::{Errors, Invalid};
use crate::keyring::KeyRing;
use crate::store::casework::cases::{self as case_store, CaseBrief, CaseRow, HistoryRow};
use crate::store::people::{self as store, PersonFields, PersonRow, SearchHit, SearchQuery};
use crate::store::{audit as audit_store, Tx};
use chrono::NaiveDate;
use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NameInput {
    pub first_name: NamePart,
    #[serde(default)]
    pub middle_name: Option<MiddleName>,
    pub last_name: NamePart,
}

/// The longest part of a name.
const NAME_MAX: usize = 60;
pub type NamePart = RequiredText<NAME_MAX>;
pub type MiddleName = Text<NAME_MAX>;

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IdentifierInput {
    pub kind: IdentifierKind,
    pub value: String,
}

/// A participant's details as entered.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonInput {
    pub first_name: NamePart,
    #[serde(default)]
    pub middle_name: Option<MiddleName>,
    pub last_name: NamePart,
    pub date_of_birth: NaiveDate,
    #[serde(default)]
    pub aliases: Vec<NameInput>,
    #[serde(default)]
    pub identifiers: Vec<IdentifierInput>,
    /// 7 to 15 digits, with spaces, `+`, `-`, `(`, `)` or `.` between them.
    #[serde(default)]
    pub phone: Option<Phone>,
    #[serde(default)]
    pub email: Option<Text<254>>,
    #[serde(default)]
    pub address: Option<Text<300>>,
    #[serde(default = "english")]
    pub preferred_language: Language,
    /// May we send text messages?
    #[serde(default)]
    pub may_text: bool,
    /// May we send e-mail?
    #[serde(default)]
    pub may_email: bool,
    /// One of the agency's values (settings, `[demographics]`).
    #[serde(default)]
    pub race: Option<Choice>,
    /// One of the agency's values.
    #[serde(default)]
    pub ethnicity: Option<Choice>,
    /// One of the agency's values.
    #[serde(default)]
    pub sex: Option<Choice>,
}

fn english() -> Language {
    Language::English
}

/// A person ready to store: every field checked.
#[derive(Debug, Clone)]
pub struct ValidPerson {
    pub fields: PersonFields,
    pub aliases: Vec<PersonName>,
    pub identifiers: Vec<Identifier>,
}

/// A phone number as typed (see [`parse_phone`]).
pub type Phone = Text<30>;

/// A value from one of the agency's lists.
type Choice = Text<60>;

fn parse_name(
    errors: &mut Errors,
    prefix: &str,
    first: &NamePart,
    middle: Option<&Text<NAME_MAX>>,
    last: &NamePart,
) -> Option<PersonName> {
    let first = errors.check(&format!("{prefix}first_name"), first.checked());
    let middle = errors.check(&format!("{prefix}middle_name"), Text::checked(middle));
    let last = errors.check(&format!("{prefix}last_name"), last.checked());
    Some(PersonName {
        first: first?,
        middle: middle?,
        last: last?,
    })
}

/// A phone number of 7 to 15 digits, with spaces, `+`, `-`, `(`, `)` or `.` between them.
pub(crate) fn parse_phone(raw: Option<&Phone>) -> Result<Option<String>, String> {
    let Some(v) = Text::checked(raw)? else {
        return Ok(None);
    };
    let digits = v.chars().filter(char::is_ascii_digit).count();
    if !(7..=15).contains(&digits)
        || !v
            .chars()
            .all(|c| c.is_ascii_digit() || " +-().".contains(c))
    {
        return Err("must be a phone number of 7 to 15 digits".into());
    }
    Ok(Some(v))
}

fn parse_email(raw: Option<&Text<254>>) -> Result<Option<String>, String> {
    let Some(v) = Text::checked(raw)? else {
        return Ok(None);
    };
    match v.split_once('@') {
        Some((local, domain))
            if !local.is_empty() && domain.contains('.') && !v.contains(char::is_whitespace) =>
        {
            Ok(Some(v))
        }
        _ => Err("must be an e-mail address like name@example.org".into()),
    }
}

fn parse_choice(raw: Option<&Choice>, allowed: &[String]) -> Result<Option<String>, String> {
    match Text::checked(raw)? {
        None => Ok(None),
        Some(v) if allowed.contains(&v) => Ok(Some(v)),
        Some(v) => Err(format!(
            "'{v}' is not one of the agency's values: {}",
            allowed.join(", ")
        )),
    }
}

/// Checks every field of a person, reporting all problems at once; `today`
/// (the agency's date) bounds the birth date.
pub fn validate(
    input: &PersonInput,
    demographics: &Demographics,
    today: NaiveDate,
) -> Result<ValidPerson, Invalid> {
    let mut e = Errors::new();
    let name = parse_name(
        &mut e,
        "",
        &input.first_name,
        input.middle_name.as_ref(),
        &input.last_name,
    );
    let dob = e.check(
        "date_of_birth",
        DateOfBirth::new(input.date_of_birth, today),
    );
    let aliases: Vec<Option<PersonName>> = input
        .aliases
        .iter()
        .enumerate()
        .map(|(i, a)| {
            parse_name(
                &mut e,
                &format!("aliases[{i}]."),
                &a.first_name,
                a.middle_name.as_ref(),
                &a.last_name,
            )
        })
        .collect();
    let mut identifiers = Vec::new();
    for (i, id) in input.identifiers.iter().enumerate() {
        if let Some(parsed) = e.check(
            &format!("identifiers[{i}].value"),
            Identifier::parse(id.kind, &id.value),
        ) {
            if parsed.kind.is_unique()
                && identifiers
                    .iter()
                    .any(|o: &Identifier| o.kind == parsed.kind)
            {
                e.add(
                    &format!("identifiers[{i}].kind"),
                    format!("only one {} may be recorded", parsed.kind.title()),
                );
            }
            identifiers.push(parsed);
        }
    }
    let phone = e.check("phone", parse_phone(input.phone.as_ref()));
    let email = e.check("email", parse_email(input.email.as_ref()));
    let address = e.check("address", Text::checked(input.address.as_ref()));
    let race = e.check(
        "race",
        parse_choice(input.race.as_ref(), &demographics.race),
    );
    let ethnicity = e.check(
        "ethnicity",
        parse_choice(input.ethnicity.as_ref(), &demographics.ethnicity),
    );
    let sex = e.check("sex", parse_choice(input.sex.as_ref(), &demographics.sex));
    if input.may_text && matches!(phone, Some(None)) {
        e.add("may_text", "needs a phone number");
    }
    if input.may_email && matches!(email, Some(None)) {
        e.add("may_email", "needs an e-mail address");
    }
    e.finish(|| {
        Some(ValidPerson {
            fields: PersonFields {
                name: name?,
                date_of_birth: dob?.date(),
                phone: phone?,
                email: email?,
                address: address?,
                preferred_language: input.preferred_language,
                may_text: input.may_text,
                may_email: input.may_email,
                race: race?,
                ethnicity: ethnicity?,
                sex: sex?,
            },
            aliases: aliases.into_iter().collect::<Option<Vec<_>>>()?,
            identifiers,
        })
    })
}

/// An existing person who may be the one being entered.
#[derive(Debug, Clone)]
pub struct PossibleDuplicate {
    pub id: PersonId,
    pub person_number: String,
    pub name: String,
    pub date_of_birth: NaiveDate,
    pub reasons: Vec<String>,
}

/// Existing people who look like `person` (same birth date and a similar name, or a shared
/// identifier).
pub async fn find_duplicates(
    tx: &mut Tx,
    keys: &KeyRing,
    person: &ValidPerson,
) -> Result<Vec<PossibleDuplicate>, sqlx::Error> {
    let values: Vec<String> = person.identifiers.iter().map(|i| i.value.clone()).collect();
    let mut names = vec![&person.fields.name];
    names.extend(person.aliases.iter());
    let prospect = Prospect {
        names,
        date_of_birth: person.fields.date_of_birth,
        identifiers: &person.identifiers,
    };
    let mut out = Vec::new();
    for id in store::duplicate_candidates(tx, keys, person.fields.date_of_birth, &values).await? {
        let Some(row) = store::get(tx, id).await? else {
            continue;
        };
        let mut names = vec![row.name()];
        names.extend(store::aliases(tx, id).await?);
        let candidate = Candidate {
            names,
            date_of_birth: row.date_of_birth,
            identifiers: store::identifiers(tx, keys, id).await?,
        };
        let reasons = duplicate_reasons(&prospect, &candidate);
        if !reasons.is_empty() {
            out.push(PossibleDuplicate {
                id,
                person_number: row.person_number.clone(),
                name: row.name().display(),
                date_of_birth: row.date_of_birth,
                reasons: reasons.iter().map(ToString::to_string).collect(),
            });
        }
    }
    Ok(out)
}

/// Refuses a unique identifier (state ID, FBI number, licence) already held by another person.
async fn check_identifiers_free(
    tx: &mut Tx,
    keys: &KeyRing,
    person: &ValidPerson,
    except: Option<PersonId>,
) -> AppResult<()> {
    for (i, id) in person
        .identifiers
        .iter()
        .enumerate()
        .filter(|(_, id)| id.kind.is_unique())
    {
        if let Some(holder) = store::holder_of(tx, keys, id)
            .await?
            .filter(|h| Some(*h) != except)
        {
            let number = store::get(tx, holder)
                .await?
                .map(|p| p.person_number)
                .unwrap_or_default();
            return Err(Invalid::one(
                format!("identifiers[{i}].value"),
                format!(
                    "{} {} already belongs to person {number}",
                    id.kind.title(),
                    id.value
                ),
            )
            .into());
        }
    }
    Ok(())
}

/// Stores a new person within the caller's transaction.
pub async fn insert(tx: &mut Tx, keys: &KeyRing, person: &ValidPerson) -> AppResult<PersonId> {
    check_identifiers_free(tx, keys, person, None).await?;
    let id = PersonId::new();
    let number = store::next_person_number(tx).await?;
    store::insert(tx, id, &number, &person.fields, tx.now()).await?;
    for a in &person.aliases {
        store::insert_alias(tx, id, a).await?;
    }
    for i in &person.identifiers {
        store::insert_identifier(tx, keys, id, i).await?;
    }
    Ok(id)
}

/// Everything shown about one participant.
#[derive(Debug, Clone)]
pub struct PersonRecord {
    pub person: PersonRow,
    pub aliases: Vec<PersonName>,
    pub identifiers: Vec<Identifier>,
    pub cases: Vec<CaseRow>,
    /// Status history per case, in the order of `cases`.
    pub histories: Vec<Vec<HistoryRow>>,
    /// Everything that happened on the cases, newest first.
    pub timeline: Vec<crate::app::casework::timeline::Moment>,
    /// Paging through the whole history, where the next (older) page
    /// begins, if there is one.
    pub older: Option<chrono::DateTime<chrono::Utc>>,
    /// Who viewed or changed this record lately.
    pub access: Vec<audit_store::EventRow>,
    /// Each scale's history and the latest result's factors, from the
    /// assessments the reader may read.
    pub assessments: crate::app::assessments::case_assessments::AssessmentHistory,
    pub can_change: bool,
}

/// Opens a participant's record with the part of their timeline `timeline`
/// asks for; the view itself is audited.
pub async fn view(
    app: &App,
    actor: &Actor,
    id: PersonId,
    timeline: TimelineQuery,
) -> AppResult<PersonRecord> {
    let mut tx = app.db.read().await?;
    let person = store::get(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound("participant"))?;
    let cases = case_store::for_person(&mut tx, id).await?;
    policy::people::view_person(actor, &cases).map_err(|_| AppError::NotFound("participant"))?;
    let cases: Vec<CaseRow> = cases
        .into_iter()
        .filter(|c| policy::casework::view_case(actor, c).is_ok())
        .collect();
    audit::record(&mut tx, actor, Action::PersonView.on(id));
    let mut histories = Vec::with_capacity(cases.len());
    for c in &cases {
        histories.push(case_store::history(&mut tx, c.id).await?);
    }
    let moments = crate::app::casework::timeline::of_cases(
        &mut tx,
        app,
        actor,
        (&cases, &histories),
        timeline,
    )
    .await?;
    let (timeline, older) = match timeline.depth {
        Depth::Recent => (moments, None),
        Depth::Whole => page(moments, |m| m.at, timeline.before),
    };
    let assessments =
        crate::app::assessments::case_assessments::history_of(&mut tx, app, actor, &cases).await?;
    let record = PersonRecord {
        assessments,
        aliases: store::aliases(&mut tx, id).await?,
        identifiers: store::identifiers(&mut tx, &app.keys, id).await?,
        access: audit_store::for_object(&mut tx, id, 20).await?,
        can_change: policy::people::change_person(actor, &cases).is_ok(),
        person,
        cases,
        histories,
        timeline,
        older,
    };
    tx.commit().await?;
    Ok(record)
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonUpdate {
    /// The version you loaded; a stale one is refused with 409.
    pub version: i64,
    pub person: PersonInput,
}

/// Corrects a participant's details. Aliases and identifiers given are added
/// to those already recorded.
pub async fn update(app: &App, actor: &Actor, id: PersonId, input: PersonUpdate) -> AppResult<()> {
    let person = validate(&input.person, &app.settings.demographics, app.today())
        .map_err(|e| e.prefixed("person."))?;
    let mut tx = app.db.write().await?;
    let current = store::get(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound("participant"))?;
    let cases = case_store::for_person(&mut tx, id).await?;
    policy::people::view_person(actor, &cases).map_err(|_| AppError::NotFound("participant"))?;
    policy::people::change_person(actor, &cases)?;
    if person.fields.may_text && !current.may_text {
        if let Some(at) = store::texts_stopped_at(&mut tx, id).await? {
            let why = format!(
                "the participant replied STOP on {}; texts resume only when they reply START",
                app.settings.date_at(at)
            );
            return Err(Invalid::one("person.may_text", why).into());
        }
    }
    check_identifiers_free(&mut tx, &app.keys, &person, Some(id)).await?;
    if !store::update(&mut tx, id, input.version, &person.fields, app.now()).await? {
        return Err(AppError::StaleVersion("participant"));
    }
    let known_aliases = store::aliases(&mut tx, id).await?;
    for a in person.aliases.iter().filter(|a| !known_aliases.contains(a)) {
        store::insert_alias(&mut tx, id, a).await?;
    }
    let known_ids = store::identifiers(&mut tx, &app.keys, id).await?;
    for i in person.identifiers.iter().filter(|i| !known_ids.contains(i)) {
        store::insert_identifier(&mut tx, &app.keys, id, i).await?;
    }
    audit::record(&mut tx, actor, Action::PersonUpdate.on(id));
    tx.commit().await?;
    Ok(())
}

/// Reads free text into a search: a date (YYYY-MM-DD or MM/DD/YYYY), a
/// number-like token (identifier, person, docket or case number), and name words
/// ("Smith", "Smith, Ann", "Ann Smith").
pub fn parse_query(raw: &str) -> SearchQuery {
    let mut q = SearchQuery::default();
    let mut words = Vec::new();
    for token in raw.split_whitespace() {
        let t = token.trim_matches(',');
        if let Some(d) = parse_date(t) {
            q.date_of_birth = Some(d);
        } else if t.chars().any(|c| c.is_ascii_digit()) {
            q.exact = Some(t.to_owned());
        } else if !t.is_empty() {
            words.push(t);
        }
    }
    let term = |word: &str, part| NameTerm::new(word, part);
    let terms = match (raw.contains(','), words.as_slice()) {
        // "Lee, Ann": family name first.
        (true, [last, first, ..]) => vec![
            term(last, Some(NameField::Last)),
            term(first, Some(NameField::First)),
        ],
        (false, [first, .., last]) => vec![
            term(first, Some(NameField::First)),
            term(last, Some(NameField::Last)),
        ],
        // A word alone: a first or a family name.
        (_, [word]) => vec![term(word, None)],
        _ => Vec::new(),
    };
    q.names = terms.into_iter().flatten().collect();
    q
}

fn parse_date(t: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(t, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(t, "%m/%d/%Y"))
        .ok()
}

/// Searches the agency's people.
/// What a person searching for someone types.
pub type SearchText = RequiredText<200>;

/// A person found, with what tells them apart at a glance: their age and
/// their cases (number, program, status, officer). No photograph.
#[derive(Debug, Clone)]
pub struct Found {
    pub hit: SearchHit,
    pub age: i32,
    pub cases: Vec<CaseBrief>,
}

/// Finds people by name, date of birth or a number, each with a summary;
/// the search is audited with how many were found.
pub async fn search(
    app: &App,
    actor: &Actor,
    raw: &SearchText,
    limit: i64,
) -> AppResult<Vec<Found>> {
    policy::people::search_people(actor)?;
    let q = parse_query(raw.as_str());
    if q == SearchQuery::default() {
        return Err(Invalid::one(
            "q",
            "enter a name, date of birth, identifier or docket number",
        )
        .into());
    }
    raw.checked().map_err(|e| Invalid::one("q", e))?;
    let mut tx = app.db.read().await?;
    let hits = store::search(&mut tx, &app.keys, &q, limit).await?;
    let ids: Vec<PersonId> = hits.iter().map(|h| h.id).collect();
    let mut briefs = case_store::briefs_of(&mut tx, &ids).await?;
    audit::record(
        &mut tx,
        actor,
        Action::PersonSearch.because(format!("{} results", hits.len())),
    );
    tx.commit().await?;
    let today = app.today();
    Ok(hits
        .into_iter()
        .map(|hit| {
            let (cases, rest) = briefs.drain(..).partition(|c| c.person_id == hit.id);
            briefs = rest;
            Found {
                age: age_on(hit.date_of_birth, today),
                hit,
                cases,
            }
        })
        .collect())
}

/// A page of all people, by name.
pub async fn list(
    app: &App,
    actor: &Actor,
    name_prefix: Option<&str>,
    cursor: Option<&str>,
    limit: i64,
) -> AppResult<(Vec<PersonRow>, Option<String>)> {
    policy::people::search_people(actor)?;
    let mut tx = app.db.read().await?;
    let page = store::list(&mut tx, name_prefix, cursor, limit).await?;
    audit::record(
        &mut tx,
        actor,
        Action::PersonList.because(format!("{} results", page.0.len())),
    );
    tx.commit().await?;
    Ok(page)
}

/// Checks a prospective person for duplicates without storing anything.
pub async fn check_duplicates(
    app: &App,
    actor: &Actor,
    input: &PersonInput,
) -> AppResult<Vec<PossibleDuplicate>> {
    policy::people::intake(actor)?;
    let person = validate(input, &app.settings.demographics, app.today())?;
    let mut tx = app.db.read().await?;
    Ok(find_duplicates(&mut tx, &app.keys, &person).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 29).unwrap()
    }

    #[test]
    fn search_text_is_read_into_parts() {
        let named = |q: &SearchQuery| -> Vec<(String, Option<NameField>)> {
            q.names.iter().map(|t| (t.word.clone(), t.part)).collect()
        };
        let (last, first) = (Some(NameField::Last), Some(NameField::First));
        let q = parse_query("Smith, Ann");
        assert_eq!(named(&q), [("smith".into(), last), ("ann".into(), first)]);
        let q = parse_query("Ann García 1990-04-01");
        assert_eq!(named(&q), [("ann".into(), first), ("garcia".into(), last)]);
        assert_eq!(q.date_of_birth, NaiveDate::from_ymd_opt(1990, 4, 1));
        let q = parse_query("04/01/1990");
        assert_eq!(q.date_of_birth, NaiveDate::from_ymd_opt(1990, 4, 1));
        assert!(q.names.is_empty());
        assert_eq!(named(&parse_query("Ann")), [("ann".into(), None)]);
        let q = parse_query("CR-2026-0042");
        assert_eq!(q.exact.as_deref(), Some("CR-2026-0042"));
        assert_eq!(parse_query("   "), SearchQuery::default());
    }

    fn input() -> PersonInput {
        serde_json::from_value(serde_json::json!({
            "first_name": "Ann", "last_name": "Lee", "date_of_birth": "1990-01-01"
        }))
        .unwrap()
    }

    #[test]
    fn a_person_is_checked_field_by_field() {
        let d = Demographics::default();
        assert!(validate(&input(), &d, today()).is_ok());
        let mut bad = input();
        bad.last_name = " ".into();
        bad.phone = Some("12".into());
        bad.email = Some("nope".into());
        bad.may_text = true;
        bad.race = Some("Martian".into());
        bad.identifiers = vec![
            IdentifierInput {
                kind: IdentifierKind::StateId,
                value: "A1".into(),
            },
            IdentifierInput {
                kind: IdentifierKind::StateId,
                value: "A2".into(),
            },
        ];
        let fields: Vec<String> = validate(&bad, &d, today())
            .unwrap_err()
            .0
            .into_iter()
            .map(|f| f.field)
            .collect();
        assert_eq!(
            fields,
            ["last_name", "identifiers[1].kind", "phone", "email", "race"]
        );
    }

    #[test]
    fn texting_needs_a_phone() {
        let mut p = input();
        p.may_text = true;
        let err = validate(&p, &Demographics::default(), today()).unwrap_err();
        assert_eq!(err.0[0].field, "may_text");
    }
}
