//! TULRCA 1992 s.188 (collective consultation), s.193 (HR1) and s.189 (protective award).

use chrono::{Days, NaiveDate};

use super::ymd;

pub const RULE_S188_LEAD_TIME: &str = "TULRCA_S188_CONSULTATION_LEAD_TIME";
pub const RULE_S193_HR1_LEAD_TIME: &str = "TULRCA_S193_HR1_LEAD_TIME";
pub const RULE_S189_AWARD_MAX: &str = "TULRCA_S189_PROTECTIVE_AWARD_MAX";
pub const RULE_S198A_PRE_TRANSFER: &str = "TULRCA_S198A_PRE_TRANSFER_CONSULTATION";

/// Default trigger: 20 or more proposed redundancy dismissals. Configurable per programme
/// because ERA 2025 changes the basis (business-wide) on a date not yet fixed.
pub const DEFAULT_THRESHOLD: u32 = 20;

/// Minimum days between the start of consultation (and the HR1) and the first dismissal;
/// `None` when collective consultation is not triggered.
pub fn minimum_days(proposed_dismissals: u32, threshold: u32) -> Option<u64> {
    match proposed_dismissals {
        n if n >= 100 && n >= threshold => Some(45),
        n if n >= threshold => Some(30),
        _ => None,
    }
}

/// The earliest date the first dismissal may take effect when consultation started on `start`.
pub fn earliest_dismissal(start: NaiveDate, days: u64) -> NaiveDate {
    start + Days::new(days)
}

/// Employment Rights Act 2025 s.30 doubles the maximum protective award from 6 April 2026.
pub fn doubled_award_commencement() -> NaiveDate {
    ymd(2026, 4, 6)
}

pub fn max_protective_award_days(award_date: NaiveDate) -> u32 {
    if award_date < doubled_award_commencement() {
        90
    } else {
        180
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lead_times() {
        assert_eq!(minimum_days(19, 20), None);
        assert_eq!(minimum_days(20, 20), Some(30));
        assert_eq!(minimum_days(99, 20), Some(30));
        assert_eq!(minimum_days(100, 20), Some(45));
        assert_eq!(earliest_dismissal(ymd(2025, 1, 1), 30), ymd(2025, 1, 31));
    }

    #[test]
    fn protective_award_doubles_on_6_april_2026() {
        assert_eq!(max_protective_award_days(ymd(2026, 4, 5)), 90);
        assert_eq!(max_protective_award_days(ymd(2026, 4, 6)), 180);
    }
}
