//! One case in full: the listed view, its deadlines, and the domain's own folded state.

use async_graphql::{Json, SimpleObject};
use chrono::NaiveDate;
use hrledger_domain::transfer::TransferCase as DomainTransfer;
use hrledger_domain::{AggregateKind, AggregateState, StreamId};
use serde_json::Value;
use uuid::Uuid;

use crate::error::{gql, ApiError, ApiResult};
use crate::schema::context::ApiContext;
use crate::schema::types::Case;
use hrledger_projections::queries;

/// A case with everything the ledger knows about it.
#[derive(SimpleObject)]
pub struct CaseDetail {
    /// The case as listed, with its deadlines.
    pub case: Case,
    /// The case stream's version: pass it as `expectedVersion` to guard against concurrent changes.
    pub version: Option<u64>,
    /// The case's full state as the domain folds it from its events.
    pub state: Json<Value>,
}

/// A TUPE/COSOP transfer case, with its staff in scope typed for integrators.
#[derive(SimpleObject)]
pub struct TransferCase {
    pub detail: CaseDetail,
    pub transferor: String,
    pub transferee: String,
    pub transfer_date: NaiveDate,
    pub date_confirmed: bool,
    /// When employee liability information is due (TUPE reg 11(6), by the date of the transfer).
    pub eli_due_date: NaiveDate,
    pub scope: Vec<ScopedEmployee>,
}

#[derive(SimpleObject)]
pub struct ScopedEmployee {
    pub employee_id: Uuid,
    pub scoped_on: NaiveDate,
    pub eli_provided_on: Option<NaiveDate>,
    pub objected_on: Option<NaiveDate>,
}

/// Loads a case of `kind` by id: the read model's view plus the domain state.
pub async fn load(
    api: &ApiContext,
    kind: AggregateKind,
    id: Uuid,
) -> ApiResult<Option<(CaseDetail, AggregateState)>> {
    let Some(view) = queries::case(&api.read_db, &id.to_string())
        .await
        .map_err(gql)?
    else {
        return Ok(None);
    };
    if view.kind != kind.prefix() {
        return Ok(None);
    }
    let stream = stream_of(kind, id);
    let (state, version) = api.ledger.state(&stream).await.map_err(gql)?;
    let json = serde_json::to_value(&state).map_err(|e| {
        gql(ApiError::validation(format!(
            "case state is not serialisable: {e}"
        )))
    })?;
    let detail = CaseDetail {
        case: Case::try_from(view).map_err(gql)?,
        version,
        state: Json(json),
    };
    Ok(Some((detail, state)))
}

fn stream_of(kind: AggregateKind, id: Uuid) -> StreamId {
    match kind {
        AggregateKind::Transfer => StreamId::transfer(id),
        AggregateKind::Consultation => StreamId::consultation(id),
        AggregateKind::Appointment => StreamId::appointment(id),
        AggregateKind::Displacement => StreamId::displacement(id),
        AggregateKind::Mediation => StreamId::mediation(id),
        AggregateKind::Programme => StreamId::programme(id),
        AggregateKind::Employee => StreamId::employee(id),
        AggregateKind::Organisation => StreamId::organisation(&id.to_string()),
    }
}

impl TransferCase {
    pub fn new(detail: CaseDetail, state: &AggregateState) -> Option<Self> {
        let AggregateState::Transfer(s) = state else {
            return None;
        };
        let t: &DomainTransfer = s.0.as_ref()?;
        Some(TransferCase {
            transferor: t.transferor.clone(),
            transferee: t.transferee.clone(),
            transfer_date: t.transfer_date,
            date_confirmed: t.date_confirmed,
            eli_due_date: t.eli_due_date(),
            scope: t
                .scope
                .iter()
                .map(|(id, s)| ScopedEmployee {
                    employee_id: *id,
                    scoped_on: s.scoped_on,
                    eli_provided_on: s.eli_provided_on,
                    objected_on: s.objected_on,
                })
                .collect(),
            detail,
        })
    }
}
