//! Agenda for Change: NHS Job Evaluation Scheme job-weight ranges per band.

use crate::common::AfcBand;

pub const RULE_JE_BAND: &str = "AFC_JOB_EVALUATION_BAND";

pub fn band_for_score(score: u16) -> Option<AfcBand> {
    use AfcBand::*;
    let band = match score {
        0..=160 => B1,
        161..=215 => B2,
        216..=270 => B3,
        271..=325 => B4,
        326..=395 => B5,
        396..=465 => B6,
        466..=539 => B7,
        540..=584 => B8a,
        585..=629 => B8b,
        630..=674 => B8c,
        675..=720 => B8d,
        721..=765 => B9,
        _ => return None,
    };
    Some(band)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn band_edges() {
        assert_eq!(band_for_score(160), Some(AfcBand::B1));
        assert_eq!(band_for_score(161), Some(AfcBand::B2));
        assert_eq!(band_for_score(540), Some(AfcBand::B8a));
        assert_eq!(band_for_score(765), Some(AfcBand::B9));
        assert_eq!(band_for_score(766), None);
    }
}
