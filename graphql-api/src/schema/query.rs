//! Queries. Core names are a stable contract for payroll integrators: keep them.
//!
//! Every read-model query accepts `minPosition`: it waits (up to 5 s) until the read models
//! include that ledger position, so a client can read its own write (pass a mutation's
//! `lastPosition`).

use async_graphql::connection::Connection;
use async_graphql::{Context, Object};
use chrono::{DateTime, NaiveDate, Utc};
use hrledger_domain::{AggregateKind, StreamId};
use hrledger_projections::queries::{self, AuditFilter, CaseFilter};
use uuid::Uuid;

use crate::error::{gql, ApiError, ApiResult};
use crate::schema::access::Access;
use crate::schema::case_detail::{self, CaseDetail, TransferCase};
use crate::schema::change_page::StaffChangePage;
use crate::schema::context::ApiContext;
use crate::schema::page::{self, connection, position_cursor};
use crate::schema::types::{
    AuditEntry, Case, Deadline, LedgerDigest, LedgerEvent, Programme, StaffChange, StaffRecord,
    Verification,
};

pub struct QueryRoot;

fn api<'a>(ctx: &Context<'a>) -> &'a ApiContext {
    ctx.data_unchecked::<ApiContext>()
}

/// Waits for `min_position`, then hands back the context.
async fn read_at<'a>(ctx: &Context<'a>, min_position: Option<u64>) -> ApiResult<&'a ApiContext> {
    let api = api(ctx);
    api.wait_for(min_position).await.map_err(gql)?;
    Ok(api)
}

#[Object]
impl QueryRoot {
    /// A staff record: the current one, or as it was true on `asOf` (effective date) as the
    /// ledger knew it at `knownAt` (default: now). Null when there is no such record.
    #[graphql(guard = "Access::StaffRecords")]
    async fn staff_record(
        &self,
        ctx: &Context<'_>,
        employee_id: Uuid,
        as_of: Option<NaiveDate>,
        known_at: Option<DateTime<Utc>>,
        min_position: Option<u64>,
    ) -> ApiResult<Option<StaffRecord>> {
        let api = read_at(ctx, min_position).await?;
        let id = employee_id.to_string();
        let current = queries::staff_record(&api.read_db, &id)
            .await
            .map_err(gql)?;
        if as_of.is_none() && known_at.is_none() {
            return current.map(StaffRecord::try_from).transpose().map_err(gql);
        }
        let day = as_of.unwrap_or_else(|| api.today());
        let version = queries::staff_record_as_of(&api.read_db, &id, day, known_at)
            .await
            .map_err(gql)?;
        version
            .map(|v| StaffRecord::from_version(v, current))
            .transpose()
            .map_err(gql)
    }

    /// Current staff records, of one employer or all, ordered by employee id.
    #[graphql(guard = "Access::StaffRecords")]
    async fn staff_records(
        &self,
        ctx: &Context<'_>,
        employer_code: Option<String>,
        first: Option<i32>,
        after: Option<String>,
        min_position: Option<u64>,
    ) -> ApiResult<Connection<String, StaffRecord>> {
        let first = page::first(first).map_err(gql)?;
        let api = read_at(ctx, min_position).await?;
        let rows = queries::staff_records(
            &api.read_db,
            employer_code.as_deref(),
            after.as_deref(),
            first + 1,
        )
        .await
        .map_err(gql)?;
        connection(
            rows,
            first,
            |r| r.employee_id.clone(),
            StaffRecord::try_from,
        )
        .map_err(gql)
    }

    /// The payroll change feed: every change of a pay-relevant field in ledger order. Resume
    /// with the last `endCursor` seen; nothing is missed or repeated.
    #[graphql(guard = "Access::StaffRecords")]
    async fn staff_changes(
        &self,
        ctx: &Context<'_>,
        after: Option<String>,
        first: Option<i32>,
        min_position: Option<u64>,
    ) -> ApiResult<StaffChangePage> {
        let first = page::first(first).map_err(gql)?;
        let after = position_cursor(after.as_deref()).map_err(gql)?;
        let api = read_at(ctx, min_position).await?;
        let mut changes =
            queries::read_staff_changes(&api.read_db, after, first + 1, StaffChange::from_cells)
                .await
                .map_err(gql)?;
        let has_next_page = page::cut_to_page(&mut changes, first);
        Ok(StaffChangePage::new(changes, has_next_page))
    }

    /// A merger programme with its dashboard.
    #[graphql(guard = "Access::Ledger")]
    async fn programme(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
        min_position: Option<u64>,
    ) -> ApiResult<Option<Programme>> {
        let api = read_at(ctx, min_position).await?;
        let view = queries::programme(&api.read_db, &id.to_string(), api.today())
            .await
            .map_err(gql)?;
        view.map(Programme::try_from).transpose().map_err(gql)
    }

    /// A TUPE/COSOP transfer case.
    #[graphql(guard = "Access::Ledger")]
    async fn transfer_case(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
        min_position: Option<u64>,
    ) -> ApiResult<Option<TransferCase>> {
        let api = read_at(ctx, min_position).await?;
        let loaded = case_detail::load(api, AggregateKind::Transfer, id).await?;
        Ok(loaded.and_then(|(detail, state)| TransferCase::new(detail, &state)))
    }

    /// A consultation case (TUPE reg 13, collective redundancy s.188, organisational change).
    #[graphql(guard = "Access::Ledger")]
    async fn consultation_case(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
        min_position: Option<u64>,
    ) -> ApiResult<Option<CaseDetail>> {
        detail(ctx, AggregateKind::Consultation, id, min_position).await
    }

    /// An appointment case (slot-in, ring-fenced or open competition).
    #[graphql(guard = "Access::Ledger")]
    async fn appointment_case(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
        min_position: Option<u64>,
    ) -> ApiResult<Option<CaseDetail>> {
        detail(ctx, AggregateKind::Appointment, id, min_position).await
    }

    /// A displaced (at-risk) employee's case.
    #[graphql(guard = "Access::Ledger")]
    async fn displacement_case(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
        min_position: Option<u64>,
    ) -> ApiResult<Option<CaseDetail>> {
        detail(ctx, AggregateKind::Displacement, id, min_position).await
    }

    /// An early-resolution (mediation) case.
    #[graphql(guard = "Access::Ledger")]
    async fn mediation_case(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
        min_position: Option<u64>,
    ) -> ApiResult<Option<CaseDetail>> {
        detail(ctx, AggregateKind::Mediation, id, min_position).await
    }

    /// Cases by kind (`transfer`, `consultation`, ...), status (`open`, `closed`,
    /// `cancelled`) and programme, ordered by case id.
    #[graphql(guard = "Access::Ledger")]
    #[allow(clippy::too_many_arguments)]
    async fn cases(
        &self,
        ctx: &Context<'_>,
        kind: Option<String>,
        status: Option<String>,
        programme_id: Option<Uuid>,
        first: Option<i32>,
        after: Option<String>,
        min_position: Option<u64>,
    ) -> ApiResult<Connection<String, Case>> {
        let first = page::first(first).map_err(gql)?;
        let api = read_at(ctx, min_position).await?;
        let filter = CaseFilter {
            kind,
            status,
            programme_id: programme_id.map(|p| p.to_string()),
        };
        let rows = queries::cases(&api.read_db, &filter, after.as_deref(), first + 1)
            .await
            .map_err(gql)?;
        connection(rows, first, |r| r.case_id.clone(), Case::try_from).map_err(gql)
    }

    /// Statutory deadlines by status (`met`, `missed`, `at_risk`, `upcoming`, worked out on
    /// today's date) and due date.
    #[graphql(guard = "Access::Ledger")]
    async fn deadlines(
        &self,
        ctx: &Context<'_>,
        status: Option<String>,
        due_before: Option<NaiveDate>,
        first: Option<i32>,
        after: Option<String>,
        min_position: Option<u64>,
    ) -> ApiResult<Connection<String, Deadline>> {
        let first = page::first(first).map_err(gql)?;
        let api = read_at(ctx, min_position).await?;
        let rows = queries::deadlines(
            &api.read_db,
            api.today(),
            status.as_deref(),
            due_before,
            None,
            after.as_deref(),
            first + 1,
        )
        .await
        .map_err(gql)?;
        connection(rows, first, |r| r.deadline_id.clone(), Deadline::try_from).map_err(gql)
    }

    /// Every event of one stream (e.g. `transfer-<uuid>`, `employee-<uuid>`), straight from
    /// the ledger; the cursor is the stream version.
    #[graphql(guard = "Access::Ledger")]
    async fn history(
        &self,
        ctx: &Context<'_>,
        stream_id: String,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<Connection<String, LedgerEvent>> {
        let first = page::first(first).map_err(gql)?;
        let stream =
            StreamId::parse(&stream_id).map_err(|e| gql(ApiError::validation(e.to_string())))?;
        let from = match after {
            Some(c) => position_cursor(Some(&c)).map_err(gql)? + 1,
            None => 0,
        };
        let mut events = api(ctx)
            .store
            .read_stream(stream.as_str(), from)
            .await
            .map_err(gql)?;
        events.truncate(first + 1);
        connection(
            events,
            first,
            |e| e.version.to_string(),
            |e| Ok(LedgerEvent::from(e)),
        )
        .map_err(gql)
    }

    /// Who did what, when and why: by employee, case, actor and recording time.
    #[graphql(guard = "Access::Ledger")]
    #[allow(clippy::too_many_arguments)]
    async fn audit_trail(
        &self,
        ctx: &Context<'_>,
        employee_id: Option<Uuid>,
        case_id: Option<Uuid>,
        actor: Option<String>,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
        first: Option<i32>,
        after: Option<String>,
        min_position: Option<u64>,
    ) -> ApiResult<Connection<String, AuditEntry>> {
        let first = page::first(first).map_err(gql)?;
        let after = position_cursor(after.as_deref()).map_err(gql)?;
        let api = read_at(ctx, min_position).await?;
        let filter = AuditFilter {
            employee_id: employee_id.map(|e| e.to_string()),
            case_id: case_id.map(|c| c.to_string()),
            actor,
            from,
            to,
        };
        let rows = queries::audit_trail(&api.read_db, &filter, after, first + 1)
            .await
            .map_err(gql)?;
        connection(
            rows,
            first,
            |r| r.position.to_string(),
            AuditEntry::try_from,
        )
        .map_err(gql)
    }

    /// The global log after a position, in commit order.
    #[graphql(guard = "Access::Ledger")]
    async fn ledger_events(
        &self,
        ctx: &Context<'_>,
        after_position: Option<u64>,
        first: Option<i32>,
    ) -> ApiResult<Connection<String, LedgerEvent>> {
        let first = page::first(first).map_err(gql)?;
        let events = api(ctx)
            .store
            .read_all(after_position.unwrap_or(0), first as u64 + 1)
            .await
            .map_err(gql)?;
        connection(
            events,
            first,
            |e| e.position.to_string(),
            |e| Ok(LedgerEvent::from(e)),
        )
        .map_err(gql)
    }

    /// Recomputes the hash chain over `fromPosition..=toPosition` (default: the whole ledger)
    /// and reports the first position where it breaks.
    #[graphql(guard = "Access::Ledger")]
    async fn verify_ledger(
        &self,
        ctx: &Context<'_>,
        from_position: Option<u64>,
        to_position: Option<u64>,
    ) -> ApiResult<Verification> {
        let verdict = api(ctx)
            .store
            .verify(from_position.unwrap_or(1), to_position)
            .await
            .map_err(gql)?;
        Ok(verdict.into())
    }

    /// The end of the hash chain, to hand to auditors and check later with `verifyLedger`.
    #[graphql(guard = "Access::Ledger")]
    async fn ledger_digest(&self, ctx: &Context<'_>) -> ApiResult<Option<LedgerDigest>> {
        let digest = api(ctx).store.digest().await.map_err(gql)?;
        Ok(digest.map(|d| LedgerDigest {
            position: d.position,
            hash: d.hash_hex(),
        }))
    }

    /// The position up to which every read model is up to date.
    #[graphql(guard = "Access::StaffRecords")]
    async fn checkpoint(&self, ctx: &Context<'_>) -> ApiResult<u64> {
        queries::checkpoint(&api(ctx).read_db).await.map_err(gql)
    }
}

async fn detail(
    ctx: &Context<'_>,
    kind: AggregateKind,
    id: Uuid,
    min_position: Option<u64>,
) -> ApiResult<Option<CaseDetail>> {
    let api = read_at(ctx, min_position).await?;
    Ok(case_detail::load(api, kind, id)
        .await?
        .map(|(detail, _)| detail))
}
