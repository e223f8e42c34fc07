//! TUPE 2006 reg 11 (employee liability information) and reg 12 (remedy).

use chrono::{Days, NaiveDate};

use super::ymd;

pub const RULE_ELI_DEADLINE: &str = "TUPE_REG11_ELI_DEADLINE";

/// Collins Amendment Regulations 2014: the notice rose from 14 to 28 days for transfers on or
/// after 1 May 2014.
pub fn twenty_eight_day_commencement() -> NaiveDate {
    ymd(2014, 5, 1)
}

pub fn minimum_notice_days(transfer_date: NaiveDate) -> u64 {
    if transfer_date < twenty_eight_day_commencement() {
        14
    } else {
        28
    }
}

/// The last day ELI may be given to be on time.
pub fn due_date(transfer_date: NaiveDate) -> NaiveDate {
    transfer_date - Days::new(minimum_notice_days(transfer_date))
}

/// Reg 12(4): compensation is "not less than £500 for each employee" unless the tribunal finds
/// that unjust. Returned in pence.
pub const MINIMUM_AWARD_PER_EMPLOYEE_PENCE: u64 = 50_000;

pub fn minimum_exposure_pence(employees: usize) -> u64 {
    MINIMUM_AWARD_PER_EMPLOYEE_PENCE * employees as u64
}

/// Where ELI for one employee stands, as seen on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case", tag = "status")]
pub enum EliStatus {
    ProvidedOnTime {
        provided_on: NaiveDate,
    },
    ProvidedLate {
        provided_on: NaiveDate,
        due: NaiveDate,
    },
    /// Not yet given, and the due date has not passed.
    Outstanding {
        due: NaiveDate,
    },
    /// Not given and the due date has passed: reg 12 exposure.
    Missing {
        due: NaiveDate,
    },
}

impl EliStatus {
    pub fn assess(
        transfer_date: NaiveDate,
        provided_on: Option<NaiveDate>,
        today: NaiveDate,
    ) -> Self {
        let due = due_date(transfer_date);
        match provided_on {
            Some(p) if p <= due => EliStatus::ProvidedOnTime { provided_on: p },
            Some(p) => EliStatus::ProvidedLate {
                provided_on: p,
                due,
            },
            None if today <= due => EliStatus::Outstanding { due },
            None => EliStatus::Missing { due },
        }
    }

    /// Late or missing ELI exposes the transferor to a reg 12 claim.
    pub fn at_risk(&self) -> bool {
        matches!(
            self,
            EliStatus::ProvidedLate { .. } | EliStatus::Missing { .. }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notice_is_14_days_before_1_may_2014_and_28_from_then() {
        assert_eq!(minimum_notice_days(ymd(2014, 4, 30)), 14);
        assert_eq!(minimum_notice_days(ymd(2014, 5, 1)), 28);
        assert_eq!(due_date(ymd(2025, 4, 1)), ymd(2025, 3, 4));
        assert_eq!(due_date(ymd(2014, 4, 15)), ymd(2014, 4, 1));
    }

    #[test]
    fn status_and_exposure() {
        let t = ymd(2025, 4, 1);
        assert_eq!(
            EliStatus::assess(t, Some(ymd(2025, 3, 4)), t),
            EliStatus::ProvidedOnTime {
                provided_on: ymd(2025, 3, 4)
            }
        );
        assert!(EliStatus::assess(t, Some(ymd(2025, 3, 5)), t).at_risk());
        assert!(!EliStatus::assess(t, None, ymd(2025, 3, 1)).at_risk());
        assert!(EliStatus::assess(t, None, ymd(2025, 3, 5)).at_risk());
        assert_eq!(minimum_exposure_pence(3), 150_000);
    }
}
