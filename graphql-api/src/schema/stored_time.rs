//! Dates and times as the read models store them, parsed back into typed scalars.
//!
//! The read models write dates as `YYYY-MM-DD` and times as `YYYY-MM-DDTHH:MM:SS.ffffffZ`
//! (`hrledger_projections::db`). Texts of exactly those shapes are read digit by digit (dates
//! by the store's [`canonical_date`], which verification uses too); any other text goes
//! through chrono's general parsers, which decide. A 500-row change page parses a thousand
//! of them, and the general parsers were a visible share of its cost.

use std::sync::LazyLock;

use chrono::format::{Item, Parsed, StrftimeItems};
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use hrledger_store::canonical_date;

/// `%Y-%m-%d`, compiled once: parsing or formatting with the text format re-reads it for
/// every date, a visible cost on a 500-row page.
pub(crate) static DAY_FORMAT: LazyLock<Vec<Item<'static>>> =
    LazyLock::new(|| StrftimeItems::new("%Y-%m-%d").collect());

/// A date as `NaiveDate::parse_from_str(text, "%Y-%m-%d")` reads it.
pub fn day(text: &str) -> Option<NaiveDate> {
    canonical_date(text).or_else(|| {
        let mut parsed = Parsed::new();
        chrono::format::parse(&mut parsed, text, DAY_FORMAT.iter()).ok()?;
        parsed.to_naive_date().ok()
    })
}

/// A time as `DateTime::parse_from_rfc3339` reads it, in UTC.
pub fn time(text: &str) -> Option<DateTime<Utc>> {
    stored_time(text).or_else(|| {
        DateTime::parse_from_rfc3339(text)
            .ok()
            .map(|t| t.with_timezone(&Utc))
    })
}

/// `YYYY-MM-DDTHH:MM:SS.ffffffZ`, a valid date and time of day (no leap second).
fn stored_time(text: &str) -> Option<DateTime<Utc>> {
    let b = text.as_bytes();
    if b.len() != 27 || b[10] != b'T' || b[13] != b':' || b[16] != b':' || b[19] != b'.' {
        return None;
    }
    if b[26] != b'Z' {
        return None;
    }
    // Byte 10 is ASCII, so the date's ten bytes end on a character boundary.
    let day = canonical_date(&text[..10])?;
    let (hour, minute, second) = (
        number(&b[11..13])?,
        number(&b[14..16])?,
        number(&b[17..19])?,
    );
    let time = NaiveTime::from_hms_micro_opt(hour, minute, second, number(&b[20..26])?)?;
    Some(day.and_time(time).and_utc())
}

/// The decimal number written by `digits`, all of which must be ASCII digits.
fn number(digits: &[u8]) -> Option<u32> {
    digits.iter().try_fold(0u32, |n, d| {
        d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_parse_as_parse_from_str_does() {
        for text in [
            "2026-07-01",
            "2019-04-01",
            "0001-01-01",
            "9999-12-31",
            "2024-02-29",
            "2026-02-30",
            "2026-13-01",
            "2026-7-1",
            "+2026-07-01",
            "2026-07-0a",
            "x",
            "",
            "2026-07-01T00",
        ] {
            assert_eq!(
                day(text),
                NaiveDate::parse_from_str(text, "%Y-%m-%d").ok(),
                "{text:?}"
            );
        }
    }

    #[test]
    fn times_parse_as_parse_from_rfc3339_does() {
        for text in [
            "2026-06-01T09:00:00.000000Z",
            "2026-06-01T09:00:00.123456Z",
            "2024-02-29T23:59:59.999999Z",
            "2026-06-01T24:00:00.000000Z",
            "2026-06-01T09:60:00.000000Z",
            "2026-06-30T23:59:60.000000Z",
            "2026-02-30T09:00:00.000000Z",
            "2026-06-01T09:00:00.12345aZ",
            "2026-06-01T09:00:00.123456+01:00",
            "2026-06-01t09:00:00.123456z",
            "2026-06-01T09:00:00Z",
            "2026-06-01 09:00:00.123456Z",
            "",
        ] {
            let chrono = DateTime::parse_from_rfc3339(text)
                .ok()
                .map(|t| t.with_timezone(&Utc));
            assert_eq!(time(text), chrono, "{text:?}");
        }
    }
}
