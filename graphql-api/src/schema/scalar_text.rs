//! Dates and times written into JSON text exactly as async-graphql's scalars print them
//! (`NaiveDate`: `%Y-%m-%d`; `DateTime<Utc>`: `to_rfc3339()`), without the `String` each of
//! those makes per value: a 500-row change page writes a thousand of them. Years outside
//! 0–9999, which chrono prints with a sign, go through the scalars themselves. Tested against
//! the scalars' own output.

use async_graphql::{ScalarType, Value};
use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};

/// `"YYYY-MM-DD"`, as the `NaiveDate` scalar prints it.
pub fn day(out: &mut Vec<u8>, date: NaiveDate) {
    if !(0..=9999).contains(&date.year()) {
        return scalar(out, date.to_value());
    }
    out.push(b'"');
    write_date(out, date);
    out.push(b'"');
}

/// `"YYYY-MM-DDTHH:MM:SS[.fff|.ffffff|.fffffffff]+00:00"`, as the `DateTime<Utc>` scalar
/// prints it (`to_rfc3339()`: as many fraction digits as the value needs; a leap second as
/// second 60).
pub fn time(out: &mut Vec<u8>, time: &DateTime<Utc>) {
    if !(0..=9999).contains(&time.year()) {
        return scalar(out, time.to_value());
    }
    let (mut second, mut nano) = (time.second(), time.nanosecond());
    if nano >= 1_000_000_000 {
        second += 1;
        nano -= 1_000_000_000;
    }
    out.push(b'"');
    write_date(out, time.date_naive());
    out.push(b'T');
    two(out, time.hour());
    out.push(b':');
    two(out, time.minute());
    out.push(b':');
    two(out, second);
    let (fraction, digits) = match nano {
        0 => (0, 0),
        n if n % 1_000_000 == 0 => (n / 1_000_000, 3),
        n if n % 1_000 == 0 => (n / 1_000, 6),
        n => (n, 9),
    };
    if digits > 0 {
        out.push(b'.');
        padded(out, fraction, digits);
    }
    out.extend_from_slice(b"+00:00\"");
}

fn write_date(out: &mut Vec<u8>, date: NaiveDate) {
    padded(out, date.year().unsigned_abs(), 4);
    out.push(b'-');
    two(out, date.month());
    out.push(b'-');
    two(out, date.day());
}

fn two(out: &mut Vec<u8>, n: u32) {
    padded(out, n, 2);
}

/// `n` in `digits` decimal digits, zero-padded (`n` has no more digits than that).
fn padded(out: &mut Vec<u8>, mut n: u32, digits: usize) {
    let start = out.len();
    out.resize(start + digits, b'0');
    for slot in out[start..].iter_mut().rev() {
        *slot = b'0' + (n % 10) as u8;
        n /= 10;
    }
}

/// A scalar's value (a string) as JSON.
fn scalar(out: &mut Vec<u8>, value: Value) {
    serde_json::to_writer(out, &value).expect("writing to memory");
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveTime, TimeZone};

    use super::*;

    fn json(value: Value) -> String {
        serde_json::to_string(&value).unwrap()
    }

    fn written(write: impl FnOnce(&mut Vec<u8>)) -> String {
        let mut out = Vec::new();
        write(&mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn days_are_written_as_the_scalar_prints_them() {
        let mut days = vec![
            NaiveDate::MIN,
            NaiveDate::MAX,
            NaiveDate::from_ymd_opt(-1, 12, 31).unwrap(),
            NaiveDate::from_ymd_opt(0, 1, 1).unwrap(),
            NaiveDate::from_ymd_opt(9999, 12, 31).unwrap(),
            NaiveDate::from_ymd_opt(10000, 1, 1).unwrap(),
        ];
        let mut day = NaiveDate::from_ymd_opt(1, 1, 1).unwrap();
        while day.year() < 9999 {
            days.push(day);
            day = day + chrono::Days::new(397);
        }
        for day in days {
            assert_eq!(
                written(|out| super::day(out, day)),
                json(day.to_value()),
                "{day:?}"
            );
        }
    }

    #[test]
    fn times_are_written_as_the_scalar_prints_them() {
        let mut times = Vec::new();
        for nano in [
            0,
            1,
            7_000,
            120_000_000,
            999_999_999,
            1_000_000_000,
            1_500_000_000,
        ] {
            for (y, mo, d, h, mi, s) in [
                (2026, 4, 1, 0, 0, 0),
                (2016, 12, 31, 23, 59, 59),
                (1, 1, 1, 9, 5, 7),
                (9999, 12, 31, 23, 59, 59),
                (10000, 1, 1, 0, 0, 0),
                (-5, 6, 7, 8, 9, 10),
            ] {
                let date = NaiveDate::from_ymd_opt(y, mo, d).unwrap();
                let time = NaiveTime::from_hms_nano_opt(h, mi, s, nano);
                if let Some(time) = time {
                    times.push(Utc.from_utc_datetime(&date.and_time(time)));
                }
            }
        }
        let mut t = Utc.with_ymd_and_hms(1970, 1, 1, 0, 0, 0).unwrap();
        for step in 0..2_000i64 {
            times.push(t);
            t += chrono::Duration::nanoseconds(1_234_567_891_234_567 + step * 997);
        }
        assert!(times.len() > 2_000);
        for time in times {
            assert_eq!(
                written(|out| super::time(out, &time)),
                json(time.to_value()),
                "{time:?}"
            );
        }
    }
}
