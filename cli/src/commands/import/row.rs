//! One staff row of a payroll extract: read as text, then validated field by field. Every
//! problem of a row is collected (not just the first), so one pass over a file tells the user
//! everything to fix.

use chrono::NaiveDate;
use hrledger_domain::common::{Assignment, Grade, PersonalDetails};
use hrledger_domain::AfcBand;
use serde::Deserialize;

/// The columns, in the order the README documents them. Extra columns are ignored (payroll
/// extracts carry many more); these must all be present in the header.
pub const COLUMNS: &[&str] = &[
    "employee_number",
    "given_name",
    "family_name",
    "ni_number",
    "date_of_birth",
    "assignment_number",
    "position_code",
    "job_title",
    "staff_group",
    "band",
    "pay_point",
    "fte",
    "cost_centre",
    "location",
    "start_date",
    "continuous_service_date",
];

/// A row as text, straight from the CSV.
#[derive(Debug, Deserialize)]
pub struct RawRow {
    pub employee_number: String,
    pub given_name: String,
    pub family_name: String,
    pub ni_number: String,
    pub date_of_birth: String,
    pub assignment_number: String,
    pub position_code: String,
    pub job_title: String,
    pub staff_group: String,
    pub band: String,
    pub pay_point: String,
    pub fte: String,
    pub cost_centre: String,
    pub location: String,
    pub start_date: String,
    pub continuous_service_date: String,
}

/// A row that passed every check, ready to become commands.
#[derive(Debug, Clone, PartialEq)]
pub struct StaffRow {
    pub employee_number: String,
    pub personal: PersonalDetails,
    pub start_date: NaiveDate,
    pub continuous_service_date: Option<NaiveDate>,
    pub assignment: Assignment,
}

/// Collects the problems of one row.
#[derive(Default)]
struct Problems(Vec<String>);

impl Problems {
    fn add(&mut self, field: &str, problem: impl std::fmt::Display) {
        self.0.push(format!("{field}: {problem}"));
    }

    fn required(&mut self, field: &str, value: &str) -> String {
        if value.is_empty() {
            self.add(field, "is required");
        }
        value.to_string()
    }

    fn date(&mut self, field: &str, value: &str) -> Option<NaiveDate> {
        if value.is_empty() {
            return None;
        }
        let parsed = parse_date(value);
        if parsed.is_none() {
            self.add(
                field,
                format!("{value:?} is not a date (use YYYY-MM-DD or DD/MM/YYYY)"),
            );
        }
        parsed
    }

    fn required_date(&mut self, field: &str, value: &str) -> Option<NaiveDate> {
        if value.is_empty() {
            self.add(field, "is required");
        }
        self.date(field, value)
    }
}

impl RawRow {
    pub fn validate(self) -> Result<StaffRow, Vec<String>> {
        let mut p = Problems::default();
        let employee_number = p.required("employee_number", &self.employee_number);
        let personal = PersonalDetails {
            given_name: p.required("given_name", &self.given_name),
            family_name: p.required("family_name", &self.family_name),
            ni_number: ni_number(&mut p, &self.ni_number),
            date_of_birth: p.date("date_of_birth", &self.date_of_birth),
            email: None,
        };
        let start_date = p.required_date("start_date", &self.start_date);
        let csd = p.date("continuous_service_date", &self.continuous_service_date);
        check_dates(&mut p, start_date, csd, personal.date_of_birth);
        let assignment = self.assignment(&mut p);
        match (p.0.is_empty(), start_date, assignment) {
            (true, Some(start_date), Some(assignment)) => Ok(StaffRow {
                employee_number,
                personal,
                start_date,
                continuous_service_date: csd,
                assignment,
            }),
            _ => Err(p.0),
        }
    }

    fn assignment(&self, p: &mut Problems) -> Option<Assignment> {
        // Every field is checked before any `?`, so all of a row's problems are reported.
        let grade = grade(p, &self.band, &self.pay_point);
        let fte = fte(p, &self.fte);
        let assignment_number = p.required("assignment_number", &self.assignment_number);
        let position_code = p.required("position_code", &self.position_code);
        let job_title = p.required("job_title", &self.job_title);
        let staff_group = p.required("staff_group", &self.staff_group);
        let cost_centre = p.required("cost_centre", &self.cost_centre);
        let location = p.required("location", &self.location);
        Some(Assignment {
            assignment_number,
            position_code,
            job_title,
            staff_group,
            grade: grade?,
            fte: fte?,
            cost_centre,
            location,
        })
    }
}

fn parse_date(value: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(value, "%d/%m/%Y"))
        .ok()
}

fn check_dates(
    p: &mut Problems,
    start: Option<NaiveDate>,
    csd: Option<NaiveDate>,
    dob: Option<NaiveDate>,
) {
    let Some(start) = start else { return };
    if let Some(csd) = csd.filter(|csd| *csd > start) {
        p.add(
            "continuous_service_date",
            format!("{csd} is after the start date {start}"),
        );
    }
    if let Some(dob) = dob.filter(|dob| *dob >= start) {
        p.add(
            "date_of_birth",
            format!("{dob} is not before the start date {start}"),
        );
    }
}

/// A National Insurance number: two prefix letters, six digits, a suffix A-D. Spaces are
/// dropped and letters upper-cased, as payroll extracts write them either way. Blank is
/// allowed (a new starter may not have one yet).
fn ni_number(p: &mut Problems, value: &str) -> Option<String> {
    let nino: String = value
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_uppercase();
    if nino.is_empty() {
        return None;
    }
    if !is_valid_nino(&nino) {
        p.add(
            "ni_number",
            format!("{value:?} is not a National Insurance number (e.g. AB 12 34 56 C)"),
        );
        return None;
    }
    Some(nino)
}

fn is_valid_nino(nino: &str) -> bool {
    let b = nino.as_bytes();
    if b.len() != 9 {
        return false;
    }
    let letters_ok = b[0].is_ascii_uppercase()
        && b[1].is_ascii_uppercase()
        && !b"DFIQUV".contains(&b[0])
        && !b"DFIOQUV".contains(&b[1]);
    let prefix_ok = !["BG", "GB", "NK", "KN", "TN", "NT", "ZZ"].contains(&&nino[..2]);
    let digits_ok = b[2..8].iter().all(u8::is_ascii_digit);
    letters_ok && prefix_ok && digits_ok && (b'A'..=b'D').contains(&b[8])
}

/// An Agenda for Change band (`5`, `8a`, `Band 6`) with an optional pay point, or any other
/// grade text (VSM, medical, local grades) without one.
fn grade(p: &mut Problems, band: &str, pay_point: &str) -> Option<Grade> {
    if band.is_empty() {
        p.add("band", "is required");
        return None;
    }
    let point = match pay_point {
        "" => None,
        text => match text.parse::<u8>() {
            Ok(n) if (1..=20).contains(&n) => Some(n),
            _ => {
                p.add("pay_point", format!("{text:?} is not a pay point (1-20)"));
                return None;
            }
        },
    };
    let lower = band.to_ascii_lowercase();
    let stripped = lower.strip_prefix("band").map(str::trim);
    match afc_band(stripped.unwrap_or(&lower)) {
        Some(band) => Some(Grade::AgendaForChange {
            band,
            pay_point: point,
        }),
        None if stripped.is_some() => {
            p.add(
                "band",
                format!("{band:?} is not an Agenda for Change band (1-7, 8a-8d, 9)"),
            );
            None
        }
        None if point.is_some() => {
            p.add(
                "pay_point",
                format!("applies to Agenda for Change bands only, not {band:?}"),
            );
            None
        }
        None => Some(Grade::Other {
            grade: band.to_string(),
        }),
    }
}

/// The domain's own names for the bands (`"5"`, `"8a"`), so the CSV and the ledger agree.
fn afc_band(text: &str) -> Option<AfcBand> {
    serde_json::from_value(serde_json::Value::String(text.to_string())).ok()
}

fn fte(p: &mut Problems, value: &str) -> Option<f64> {
    match value.parse::<f64>() {
        Ok(fte) if fte > 0.0 && fte <= 1.0 => Some(fte),
        _ if value.is_empty() => {
            p.add("fte", "is required");
            None
        }
        _ => {
            p.add(
                "fte",
                format!("{value:?} is not a full-time equivalent in (0, 1]"),
            );
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw() -> RawRow {
        RawRow {
            employee_number: "10001".into(),
            given_name: "Amara".into(),
            family_name: "Okonkwo".into(),
            ni_number: "ab 12 34 56 c".into(),
            date_of_birth: "1980-02-29".into(),
            assignment_number: "40100001-1".into(),
            position_code: "P10001".into(),
            job_title: "Finance Analyst".into(),
            staff_group: "Admin & Clerical".into(),
            band: "Band 8a".into(),
            pay_point: "2".into(),
            fte: "0.6".into(),
            cost_centre: "401100".into(),
            location: "North Shire House".into(),
            start_date: "01/04/2015".into(),
            continuous_service_date: "".into(),
        }
    }

    #[test]
    fn a_good_row_is_normalised() {
        let row = raw().validate().expect("valid");
        assert_eq!(row.personal.ni_number.as_deref(), Some("AB123456C"));
        assert_eq!(row.start_date, NaiveDate::from_ymd_opt(2015, 4, 1).unwrap());
        assert_eq!(
            row.assignment.grade,
            Grade::AgendaForChange {
                band: AfcBand::B8a,
                pay_point: Some(2)
            }
        );
    }

    #[test]
    fn every_problem_of_a_row_is_reported() {
        let mut r = raw();
        r.ni_number = "123".into();
        r.fte = "1.5".into();
        r.start_date = "".into();
        r.band = "Band 10".into();
        let problems = r.validate().unwrap_err();
        assert_eq!(problems.len(), 4, "{problems:?}");
        assert!(problems[0].starts_with("ni_number:"), "{problems:?}");
    }

    #[test]
    fn non_afc_grades_are_kept_as_text_without_pay_points() {
        let mut r = raw();
        r.band = "VSM".into();
        r.pay_point = "".into();
        let row = r.validate().unwrap();
        assert_eq!(
            row.assignment.grade,
            Grade::Other {
                grade: "VSM".into()
            }
        );
        let mut r = raw();
        r.band = "VSM".into();
        assert!(r.validate().unwrap_err()[0].starts_with("pay_point:"));
    }

    #[test]
    fn continuity_cannot_start_after_employment() {
        let mut r = raw();
        r.continuous_service_date = "2016-01-01".into();
        assert!(r.validate().unwrap_err()[0].starts_with("continuous_service_date:"));
    }

    #[test]
    fn nino_prefix_rules() {
        assert!(is_valid_nino("AB123456C"));
        assert!(!is_valid_nino("GB123456C"));
        assert!(!is_valid_nino("DA123456C"));
        assert!(!is_valid_nino("AB123456E"));
    }
}
