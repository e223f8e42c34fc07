//! What each role may do, checked on every field that reads or writes (async-graphql guards).
//!
//! | class          | admin | hr_adviser | auditor | payroll |
//! |----------------|-------|------------|---------|---------|
//! | `StaffRecords` | yes   | yes        | yes     | yes     |
//! | `Ledger`       | yes   | yes        | yes     | no      |
//! | `Commands`     | yes   | yes        | no      | no      |
//!
//! `StaffRecords` is staff records, as-of versions and the payroll change feed; `Ledger` is
//! everything else that reads (cases, programmes, deadlines, history, audit trail, raw events,
//! verification): case narratives, mediation and personal data beyond the payroll fields.

use async_graphql::{Context, ErrorExtensions, Guard};
use hrledger_commands::{Actor, Role};

use crate::error::{ApiError, ApiResult};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    StaffRecords,
    Ledger,
    Commands,
}

impl Access {
    pub fn allows(self, role: Role) -> bool {
        match self {
            Access::StaffRecords => true,
            Access::Ledger => role != Role::Payroll,
            Access::Commands => role.may_issue_commands(),
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Access::StaffRecords => "read staff records",
            Access::Ledger => "read cases, history or the audit trail (payroll reads staff records and the change feed only)",
            Access::Commands => "issue commands (only admin and hr_adviser may)",
        }
    }
}

/// The authenticated actor of this request; every request has one (no token, no data).
pub fn actor<'a>(ctx: &Context<'a>) -> ApiResult<&'a Actor> {
    ctx.data_opt::<Actor>()
        .ok_or_else(|| ApiError::Unauthenticated.extend())
}

impl Guard for Access {
    async fn check(&self, ctx: &Context<'_>) -> async_graphql::Result<()> {
        let actor = actor(ctx)?;
        if self.allows(actor.role) {
            Ok(())
        } else {
            Err(ApiError::Forbidden {
                role: actor.role.to_string(),
                what: self.describe(),
            }
            .extend())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payroll_reads_staff_records_only() {
        assert!(Access::StaffRecords.allows(Role::Payroll));
        assert!(!Access::Ledger.allows(Role::Payroll));
        assert!(!Access::Commands.allows(Role::Payroll));
    }

    #[test]
    fn auditors_read_everything_and_write_nothing() {
        assert!(Access::Ledger.allows(Role::Auditor));
        assert!(!Access::Commands.allows(Role::Auditor));
        assert!(Access::Commands.allows(Role::HrAdviser));
        assert!(Access::Commands.allows(Role::Admin));
    }
}
