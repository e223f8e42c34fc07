//! TUPE 2006 reg 13A: micro-businesses may inform and consult affected employees directly.

use chrono::NaiveDate;

use super::ymd;

pub const RULE_DIRECT_CONSULTATION: &str = "TUPE_REG13A_DIRECT_CONSULTATION";

/// SI 2023/1426 widened the exception for transfers on or after 1 July 2024.
pub fn widened_thresholds_commencement() -> NaiveDate {
    ymd(2024, 7, 1)
}

/// The headcount limbs of reg 13A as in force on the transfer date.
/// Before 1 Jul 2024: employer has fewer than 10 employees.
/// On/after: employer has fewer than 50 employees, OR fewer than 10 employees are transferring.
pub fn headcount_allows_direct(
    transfer_date: NaiveDate,
    employer_headcount: u32,
    transferring: u32,
) -> bool {
    if transfer_date < widened_thresholds_commencement() {
        employer_headcount < 10
    } else {
        employer_headcount < 50 || transferring < 10
    }
}

/// Human-readable statement of the thresholds that applied, for error messages.
pub fn describe_thresholds(transfer_date: NaiveDate) -> &'static str {
    if transfer_date < widened_thresholds_commencement() {
        "fewer than 10 employees (transfers before 1 July 2024)"
    } else {
        "fewer than 50 employees, or fewer than 10 transferring (transfers on or after 1 July 2024)"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_change_on_1_july_2024() {
        let before = ymd(2024, 6, 30);
        let after = ymd(2024, 7, 1);
        assert!(headcount_allows_direct(before, 9, 9));
        assert!(!headcount_allows_direct(before, 10, 1));
        assert!(headcount_allows_direct(after, 49, 40));
        assert!(headcount_allows_direct(after, 500, 9));
        assert!(!headcount_allows_direct(after, 50, 10));
    }
}
