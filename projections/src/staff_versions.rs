//! Bitemporal staff record versions, worked out when asked for, from the payroll change feed.
//!
//! A version's record is the pay-relevant changes the ledger knew at some position, folded in
//! effective-date order, so an employee's rows in the feed (a handful) hold every version the
//! ledger ever knew. Storing the versions as well cost a rebuild nearly a row more per event —
//! each change re-derived and rewrote the employee's whole timeline, and closed the rows it
//! superseded with an update — to save a read that folds a few rows.

use crate::payroll::{PayrollChanges, PayrollRecord};
use crate::ProjectionError;

/// One row of an employee's change feed, as the fold needs it.
pub(crate) struct KnownChange {
    pub effective: String,
    pub position: i64,
    pub recorded_at: String,
    pub changes: PayrollChanges,
}

impl KnownChange {
    /// A `staff_changes` row as stored: effective date, position, recorded time, changes.
    pub fn from_row(
        (effective, position, recorded_at, changes): (String, i64, String, String),
    ) -> Result<Self, ProjectionError> {
        let changes = PayrollChanges::from_json(&changes)
            .map_err(|e| ProjectionError::Corrupt(format!("staff change {position}: {e}")))?;
        Ok(KnownChange {
            effective,
            position,
            recorded_at,
            changes,
        })
    }
}

/// One period of an employee's record: in force from `valid_from` until the day before
/// `valid_to` (open when `None`).
#[derive(Clone)]
pub(crate) struct Period {
    pub valid_from: String,
    pub valid_to: Option<String>,
    pub record: PayrollRecord,
}

/// The period in force on `day`, as the ledger knew it at `known_at` (RFC 3339 text; `None`:
/// now), and the change that knowledge dates from. `changes` are in effective-date, then
/// position, order.
///
/// What the ledger knew at a time is every change up to the last one recorded by then: a
/// later change supersedes the whole timeline it was folded into, as a correction should.
pub(crate) fn version_on<'a>(
    changes: &'a [KnownChange],
    day: &str,
    known_at: Option<&str>,
) -> Option<(Period, &'a KnownChange)> {
    let known = changes
        .iter()
        .filter(|c| known_at.is_none_or(|t| c.recorded_at.as_str() <= t))
        .max_by_key(|c| c.position)?;
    let folded = changes.iter().filter(|c| c.position <= known.position);
    // Periods are consecutive and the last is open, so the last to start by `day` holds on it.
    let period = periods(folded)
        .into_iter()
        .take_while(|p| p.valid_from.as_str() <= day)
        .last()?;
    Some((period, known))
}

/// Folds changes (in effective-date, then position, order) into consecutive periods. Several
/// changes on one date make one period; per field the later-recorded change wins.
fn periods<'a>(changes: impl Iterator<Item = &'a KnownChange>) -> Vec<Period> {
    let mut periods: Vec<Period> = Vec::new();
    let mut current = PayrollRecord::default();
    for change in changes {
        current.apply(&change.changes);
        match periods.last_mut() {
            Some(last) if last.valid_from == change.effective => last.record = current.clone(),
            Some(last) => {
                last.valid_to = Some(change.effective.clone());
                periods.push(open_period(change, &current));
            }
            None => periods.push(open_period(change, &current)),
        }
    }
    periods
}

fn open_period(change: &KnownChange, record: &PayrollRecord) -> Period {
    Period {
        valid_from: change.effective.clone(),
        valid_to: None,
        record: record.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::{version_on, KnownChange};
    use crate::payroll::PayrollChanges;

    fn change(effective: &str, position: i64, recorded_at: &str, band: &str) -> KnownChange {
        let text = format!(r#"{{"band":{{"from":null,"to":"{band}"}}}}"#);
        KnownChange {
            effective: effective.into(),
            position,
            recorded_at: recorded_at.into(),
            changes: PayrollChanges::from_json(&text).unwrap(),
        }
    }

    /// Hired on band 5 in January, band 6 from April; then, recorded in May, a correction
    /// back-dated to February: band 7. Rows in effective-date order, as the feed's index reads.
    fn history() -> Vec<KnownChange> {
        vec![
            change("2026-01-01", 10, "2026-01-01T09:00:00Z", "5"),
            change("2026-02-01", 30, "2026-05-01T09:00:00Z", "7"),
            change("2026-04-01", 20, "2026-03-01T09:00:00Z", "6"),
        ]
    }

    fn band_on(day: &str, known_at: Option<&str>) -> Option<(String, String, Option<String>, i64)> {
        let changes = history();
        version_on(&changes, day, known_at).map(|(p, known)| {
            let record = serde_json::to_value(&p.record).unwrap();
            let band = record["band"].as_str().unwrap().to_string();
            (band, p.valid_from, p.valid_to, known.position)
        })
    }

    #[test]
    fn as_known_now_the_correction_holds_from_its_date_until_the_next_change() {
        let v = |from: &str, to: Option<&str>| (from.to_string(), to.map(str::to_string));
        let on = |day| {
            band_on(day, None).map(|(band, from, to, at)| (band, v(&from, to.as_deref()), at))
        };
        assert_eq!(
            on("2026-01-31"),
            Some(("5".into(), v("2026-01-01", Some("2026-02-01")), 30))
        );
        assert_eq!(
            on("2026-03-15"),
            Some(("7".into(), v("2026-02-01", Some("2026-04-01")), 30))
        );
        assert_eq!(
            on("2026-04-01"),
            Some(("6".into(), v("2026-04-01", None), 30))
        );
        assert_eq!(on("2025-12-31"), None, "nothing before the first change");
    }

    #[test]
    fn as_known_then_a_later_correction_is_not_seen() {
        let then = Some("2026-04-01T00:00:00Z");
        let (band, from, to, at) = band_on("2026-03-15", then).unwrap();
        assert_eq!(
            (band.as_str(), from.as_str(), to.as_deref(), at),
            ("5", "2026-01-01", Some("2026-04-01"), 20)
        );
        assert_eq!(
            band_on("2026-03-15", Some("2025-12-31T00:00:00Z")),
            None,
            "unknown then"
        );
    }
}
