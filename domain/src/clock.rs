//! The only notion of "now" the domain has. Injected, so decisions are reproducible.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clock {
    pub now: DateTime<Utc>,
}

impl Clock {
    pub fn fixed(now: DateTime<Utc>) -> Self {
        Clock { now }
    }

    /// Noon UTC on the given day: tests and imports mostly care about the date.
    pub fn at_date(date: NaiveDate) -> Self {
        Clock {
            now: date
                .and_time(NaiveTime::from_hms_opt(12, 0, 0).expect("valid time"))
                .and_utc(),
        }
    }

    /// Statutory deadlines in UK HR law run on calendar dates.
    pub fn today(&self) -> NaiveDate {
        self.now.date_naive()
    }
}
