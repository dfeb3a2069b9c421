//! Case plans: versions (their goals and steps sealed as one document),
//! where each goal and step stands, and the progress recorded on them.

use crate::domain::assessments::case_plans::{Agreement, ItemKind, ItemStatus, Plan, PlanKind};
use crate::domain::ids::{AssessmentId, CaseId, PlanId, PlanItemId, PlanUpdateId, UserId};
use crate::keyring::KeyRing;
use crate::store::sealed::{PLAN_CONTENT, PLAN_PROGRESS_NOTE};
use crate::store::Tx;
use crate::store::{exec, fetch};
use chrono::{DateTime, NaiveDate, Utc};

/// A version of a case's plan, opened.
#[derive(Debug, Clone)]
pub struct PlanRow {
    pub id: PlanId,
    pub case_id: CaseId,
    /// 1 for the initial plan, then one more for each version.
    pub number: i32,
    pub kind: PlanKind,
    /// The assessment whose needs it answers.
    pub assessment_id: Option<AssessmentId>,
    pub content: Plan,
    pub created_by: UserId,
    pub creator: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub signed_by: Option<UserId>,
    pub signer: Option<String>,
    pub signed_at: Option<DateTime<Utc>>,
    pub countersign_needed: bool,
    pub countersigner: Option<String>,
    pub countersigned_at: Option<DateTime<Utc>>,
    pub agreement: Option<Agreement>,
    pub agreement_comment: Option<String>,
    pub agreement_on: Option<NaiveDate>,
    pub version: i64,
}

impl PlanRow {
    /// Signed, needing a supervisor's countersignature, and not given it yet.
    pub fn awaits_countersignature(&self) -> bool {
        self.countersign_needed && self.countersigned_at.is_none()
    }
}

#[derive(sqlx::FromRow)]
struct Stored {
    id: PlanId,
    case_id: CaseId,
    number: i32,
    kind: PlanKind,
    assessment_id: Option<AssessmentId>,
    content: String,
    created_by: UserId,
    creator: String,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    signed_by: Option<UserId>,
    signer: Option<String>,
    signed_at: Option<DateTime<Utc>>,
    countersign_needed: bool,
    countersigner: Option<String>,
    countersigned_at: Option<DateTime<Utc>>,
    agreement: Option<Agreement>,
    agreement_comment: Option<String>,
    agreement_on: Option<NaiveDate>,
    version: i64,
}

impl Stored {
    fn open(self, keys: &KeyRing) -> Result<PlanRow, sqlx::Error> {
        let content = PLAN_CONTENT.open(keys, self.id, &self.content)?;
        let content =
            serde_json::from_str(&content).map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
        Ok(PlanRow {
            id: self.id,
            case_id: self.case_id,
            number: self.number,
            kind: self.kind,
            assessment_id: self.assessment_id,
            content,
            created_by: self.created_by,
            creator: self.creator,
            created_at: self.created_at,
            updated_at: self.updated_at,
            signed_by: self.signed_by,
            signer: self.signer,
            signed_at: self.signed_at,
            countersign_needed: self.countersign_needed,
            countersigner: self.countersigner,
            countersigned_at: self.countersigned_at,
            agreement: self.agreement,
            agreement_comment: self.agreement_comment,
            agreement_on: self.agreement_on,
            version: self.version,
        })
    }
}

const SELECT: &str = "SELECT p.id, p.case_id, p.number, p.kind, p.assessment_id, p.content, \
                      p.created_by, cu.full_name AS creator, p.created_at, p.updated_at, \
                      p.signed_by, su.full_name AS signer, p.signed_at, p.countersign_needed, \
                      ku.full_name AS countersigner, p.countersigned_at, p.agreement, \
                      p.agreement_comment, p.agreement_on, p.version FROM case_plans p JOIN users \
                      cu ON cu.id = p.created_by LEFT JOIN users su ON su.id = p.signed_by LEFT \
                      JOIN users ku ON ku.id = p.countersigned_by";

fn sealed(keys: &KeyRing, id: PlanId, content: &Plan) -> Result<String, sqlx::Error> {
    let json = serde_json::to_string(content).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    Ok(PLAN_CONTENT.seal(keys, id, &json))
}

/// A version to store.
pub struct NewPlan<'a> {
    pub id: PlanId,
    pub case_id: CaseId,
    pub number: i32,
    pub kind: PlanKind,
    pub assessment_id: Option<AssessmentId>,
    pub content: &'a Plan,
    pub created_by: UserId,
    /// Signed already, and whether it needed and had a countersignature
    /// (the demo's history).
    pub signed: Option<Signed>,
}

/// A version's signatures as the demo stores them.
#[derive(Debug, Clone, Copy)]
pub struct Signed {
    pub at: DateTime<Utc>,
    pub countersigned_by: Option<UserId>,
    pub agreement: Agreement,
    pub on: NaiveDate,
}

const INSERT: &[&str] = &[
    "id",
    "case_id",
    "number",
    "kind",
    "assessment_id",
    "content",
    "created_by",
    "created_at",
    "updated_at",
    "signed_by",
    "signed_at",
    "countersign_needed",
    "countersigned_by",
    "countersigned_at",
    "agreement",
    "agreement_on",
    "agreement_by",
];

/// Stores versions (a draft, or the demo's signed history) at `now`.
pub async fn insert_many(
    tx: &mut Tx,
    keys: &KeyRing,
    rows: &[NewPlan<'_>],
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    for chunk in rows.chunks(crate::store::sql::rows_per_insert(INSERT.len())) {
        let contents = chunk
            .iter()
            .map(|p| sealed(keys, p.id, p.content))
            .collect::<Result<Vec<_>, _>>()?;
        let sql = crate::store::sql::insert_sql(tx.dialect(), "case_plans", INSERT, chunk.len());
        exec!(
            tx,
            chunk
                .iter()
                .zip(&contents)
                .fold(sqlx::query(&sql), |q, (p, content)| {
                    let at = p.signed.map_or(now, |s| s.at);
                    let signer = p.signed.map(|_| p.created_by);
                    let countersigned = p.signed.and_then(|s| s.countersigned_by);
                    q.bind(p.id)
                        .bind(p.case_id)
                        .bind(p.number)
                        .bind(p.kind)
                        .bind(p.assessment_id)
                        .bind(content.clone())
                        .bind(p.created_by)
                        .bind(at)
                        .bind(at)
                        .bind(signer)
                        .bind(p.signed.map(|s| s.at))
                        .bind(countersigned.is_some())
                        .bind(countersigned)
                        .bind(countersigned.map(|_| at))
                        .bind(p.signed.map(|s| s.agreement))
                        .bind(p.signed.map(|s| s.on))
                        .bind(signer)
                })
        )?;
    }
    Ok(())
}

pub async fn get(tx: &mut Tx, keys: &KeyRing, id: PlanId) -> Result<Option<PlanRow>, sqlx::Error> {
    let sql = format!("{SELECT} WHERE p.id = $1");
    let row: Option<Stored> = fetch!(tx, fetch_optional, sqlx::query_as(&sql).bind(id))?;
    row.map(|r| r.open(keys)).transpose()
}

/// The case a version is of (nothing sealed read).
pub async fn case_of(tx: &mut Tx, id: PlanId) -> Result<Option<CaseId>, sqlx::Error> {
    fetch!(
        tx,
        fetch_optional,
        sqlx::query_scalar("SELECT case_id FROM case_plans WHERE id = $1").bind(id)
    )
}

/// A case's versions, newest first.
pub async fn of_case(
    tx: &mut Tx,
    keys: &KeyRing,
    case: CaseId,
) -> Result<Vec<PlanRow>, sqlx::Error> {
    let sql = format!("{SELECT} WHERE p.case_id = $1 ORDER BY p.number DESC");
    let rows: Vec<Stored> = fetch!(tx, fetch_all, sqlx::query_as(&sql).bind(case))?;
    rows.into_iter().map(|r| r.open(keys)).collect()
}

/// Saves a draft's goals and steps on the version it was read at; false if
/// it is stale or signed.
pub async fn save_content(
    tx: &mut Tx,
    keys: &KeyRing,
    id: PlanId,
    version: i64,
    content: &Plan,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let sealed = sealed(keys, id, content)?;
    let n = exec!(
        tx,
        sqlx::query(
            "UPDATE case_plans SET content = $1, updated_at = $2, version = version + 1 WHERE id \
             = $3 AND version = $4 AND signed_at IS NULL"
        )
        .bind(sealed)
        .bind(now)
        .bind(id)
        .bind(version)
    )?;
    Ok(n == 1)
}

/// Signs a draft on the version it was read at; false if stale or signed.
pub async fn sign(
    tx: &mut Tx,
    id: PlanId,
    version: i64,
    by: UserId,
    countersign_needed: bool,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let n = exec!(
        tx,
        sqlx::query(
            "UPDATE case_plans SET signed_by = $1, signed_at = $2, countersign_needed = $3, \
             updated_at = $2, version = version + 1 WHERE id = $4 AND version = $5 AND signed_at \
             IS NULL"
        )
        .bind(by)
        .bind(now)
        .bind(countersign_needed)
        .bind(id)
        .bind(version)
    )?;
    Ok(n == 1)
}

/// Countersigns a signed version waiting for it; false if stale.
pub async fn countersign(
    tx: &mut Tx,
    id: PlanId,
    version: i64,
    by: UserId,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let n = exec!(
        tx,
        sqlx::query(
            "UPDATE case_plans SET countersigned_by = $1, countersigned_at = $2, updated_at = $2, \
             version = version + 1 WHERE id = $3 AND version = $4 AND countersign_needed AND \
             countersigned_at IS NULL"
        )
        .bind(by)
        .bind(now)
        .bind(id)
        .bind(version)
    )?;
    Ok(n == 1)
}

/// The participant's answer to a version, as recorded.
pub struct AgreementGiven<'a> {
    pub agreement: Agreement,
    pub comment: Option<&'a str>,
    pub on: NaiveDate,
    pub by: UserId,
}

/// Records the participant's agreement on a signed version; false if stale.
pub async fn record_agreement(
    tx: &mut Tx,
    id: PlanId,
    version: i64,
    given: &AgreementGiven<'_>,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let n = exec!(
        tx,
        sqlx::query(
            "UPDATE case_plans SET agreement = $1, agreement_comment = $2, agreement_on = $3, \
             agreement_by = $4, updated_at = $5, version = version + 1 WHERE id = $6 AND version \
             = $7 AND signed_at IS NOT NULL"
        )
        .bind(given.agreement)
        .bind(given.comment)
        .bind(given.on)
        .bind(given.by)
        .bind(now)
        .bind(id)
        .bind(version)
    )?;
    Ok(n == 1)
}

/// Where a goal or step stands.
#[derive(Debug, Clone)]
pub struct ItemRow {
    pub id: PlanItemId,
    pub case_id: CaseId,
    pub status: ItemStatus,
    pub changed_by: String,
    pub changed_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct StoredItem {
    id: PlanItemId,
    case_id: CaseId,
    kind: ItemKind,
    status: String,
    changed_by: String,
    changed_at: DateTime<Utc>,
}

impl StoredItem {
    fn open(self) -> Result<ItemRow, sqlx::Error> {
        let status = ItemStatus::parse(self.kind, &self.status)
            .map_err(|e| sqlx::Error::Decode(e.into()))?;
        Ok(ItemRow {
            id: self.id,
            case_id: self.case_id,
            status,
            changed_by: self.changed_by,
            changed_at: self.changed_at,
        })
    }
}

const SELECT_ITEM: &str = "SELECT i.id, i.case_id, i.kind, i.status, u.full_name AS changed_by, \
                           i.changed_at FROM plan_items i JOIN users u ON u.id = i.changed_by";

/// Gives the items not kept yet (case, key, kind, who added it) their
/// first status; the others keep theirs.
pub async fn add_items(
    tx: &mut Tx,
    items: &[(CaseId, PlanItemId, ItemKind, UserId)],
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    const COLUMNS: &[&str] = &[
        "id",
        "case_id",
        "kind",
        "status",
        "changed_by",
        "changed_at",
    ];
    for chunk in items.chunks(crate::store::sql::rows_per_insert(COLUMNS.len())) {
        let sql = format!(
            "{} ON CONFLICT (id) DO NOTHING",
            crate::store::sql::insert_sql(tx.dialect(), "plan_items", COLUMNS, chunk.len())
        );
        exec!(
            tx,
            chunk
                .iter()
                .fold(sqlx::query(&sql), |q, (case, id, kind, by)| {
                    q.bind(*id)
                        .bind(*case)
                        .bind(*kind)
                        .bind(ItemStatus::initial(*kind).label())
                        .bind(*by)
                        .bind(now)
                })
        )?;
    }
    Ok(())
}

pub async fn item(tx: &mut Tx, id: PlanItemId) -> Result<Option<ItemRow>, sqlx::Error> {
    let sql = format!("{SELECT_ITEM} WHERE i.id = $1");
    let row: Option<StoredItem> = fetch!(tx, fetch_optional, sqlx::query_as(&sql).bind(id))?;
    row.map(StoredItem::open).transpose()
}

pub async fn items_of_case(tx: &mut Tx, case: CaseId) -> Result<Vec<ItemRow>, sqlx::Error> {
    let sql = format!("{SELECT_ITEM} WHERE i.case_id = $1");
    let rows: Vec<StoredItem> = fetch!(tx, fetch_all, sqlx::query_as(&sql).bind(case))?;
    rows.into_iter().map(StoredItem::open).collect()
}

/// Progress on an item to store: a note, a new status, or both.
pub struct NewProgress<'a> {
    pub id: PlanUpdateId,
    pub case_id: CaseId,
    pub item: PlanItemId,
    pub on: NaiveDate,
    pub status: Option<ItemStatus>,
    pub note: Option<&'a str>,
    pub author: UserId,
}

/// Stores progress and, with a status, makes it the item's.
pub async fn record_progress(
    tx: &mut Tx,
    keys: &KeyRing,
    p: &NewProgress<'_>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let note = p.note.map(|n| PLAN_PROGRESS_NOTE.seal(keys, p.id, n));
    exec!(
        tx,
        sqlx::query(
            "INSERT INTO plan_progress (id, case_id, item_id, on_day, status, note, author_id, \
             at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
        )
        .bind(p.id)
        .bind(p.case_id)
        .bind(p.item)
        .bind(p.on)
        .bind(p.status.map(ItemStatus::label))
        .bind(note)
        .bind(p.author)
        .bind(now)
    )?;
    if let Some(status) = p.status {
        exec!(
            tx,
            sqlx::query(
                "UPDATE plan_items SET status = $1, changed_by = $2, changed_at = $3 WHERE id = $4"
            )
            .bind(status.label())
            .bind(p.author)
            .bind(now)
            .bind(p.item)
        )?;
    }
    Ok(())
}

/// Progress recorded on an item, opened.
#[derive(Debug, Clone)]
pub struct ProgressRow {
    pub id: PlanUpdateId,
    pub item: PlanItemId,
    pub on: NaiveDate,
    /// The status label it gave, if it gave one.
    pub status: Option<String>,
    pub note: Option<String>,
    pub author: String,
    pub at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct StoredProgress {
    id: PlanUpdateId,
    item_id: PlanItemId,
    on_day: NaiveDate,
    status: Option<String>,
    note: Option<String>,
    author: String,
    at: DateTime<Utc>,
}

/// A case's progress on its plan, newest day first.
pub async fn progress_of_case(
    tx: &mut Tx,
    keys: &KeyRing,
    case: CaseId,
) -> Result<Vec<ProgressRow>, sqlx::Error> {
    let rows: Vec<StoredProgress> = fetch!(
        tx,
        fetch_all,
        sqlx::query_as(
            "SELECT g.id, g.item_id, g.on_day, g.status, g.note, u.full_name AS author, g.at FROM \
             plan_progress g JOIN users u ON u.id = g.author_id WHERE g.case_id = $1 ORDER BY \
             g.on_day DESC, g.at DESC"
        )
        .bind(case)
    )?;
    rows.into_iter()
        .map(|r| {
            Ok(ProgressRow {
                note: r
                    .note
                    .map(|n| PLAN_PROGRESS_NOTE.open(keys, r.id, &n))
                    .transpose()?,
                id: r.id,
                item: r.item_id,
                on: r.on_day,
                status: r.status,
                author: r.author,
                at: r.at,
            })
        })
        .collect()
}

/// A signed version as the timeline tells it (nothing sealed read).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SignedRow {
    pub number: i32,
    pub kind: PlanKind,
    pub signed_at: DateTime<Utc>,
    pub signer: String,
    pub countersigner: Option<String>,
    pub countersigned_at: Option<DateTime<Utc>>,
    pub agreement: Option<Agreement>,
}

/// A case's latest `limit` signed versions, newest first.
pub async fn signed_of_case(
    tx: &mut Tx,
    case: CaseId,
    limit: i64,
) -> Result<Vec<SignedRow>, sqlx::Error> {
    fetch!(
        tx,
        fetch_all,
        sqlx::query_as(
            "SELECT p.number, p.kind, p.signed_at, su.full_name AS signer, ku.full_name AS \
             countersigner, p.countersigned_at, p.agreement FROM case_plans p JOIN users su ON \
             su.id = p.signed_by LEFT JOIN users ku ON ku.id = p.countersigned_by WHERE \
             p.case_id = $1 ORDER BY p.number DESC LIMIT $2"
        )
        .bind(case)
        .bind(limit)
    )
}
