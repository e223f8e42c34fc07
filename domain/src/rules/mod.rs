//! Statutory rules, each versioned by the date it applies to. Pure functions of dates and
//! numbers, so each change in the law is one `if` on a commencement date, tested at its edges.

pub mod afc;
pub mod collective;
pub mod eli;
pub mod reg13a;

use chrono::NaiveDate;

pub(crate) fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid commencement date")
}
