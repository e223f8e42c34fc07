//! Input types shared by the mutations, and [`ToDomain`]: the checked conversion of a GraphQL
//! input into the domain's own value. Enums mirror the domain's with `remote`, so a variant
//! added to the domain and not here fails to compile instead of failing at run time.

use async_graphql::{Enum, InputObject, NewType};
use chrono::NaiveDate;
use hrledger_domain::common::CaseRef;
use hrledger_domain::{
    appointment, consultation, displacement, employee, mediation, organisation, programme, transfer,
};
use hrledger_domain::{AfcBand, AggregateKind, Assignment, Grade, Narrative, PersonalDetails};
use uuid::Uuid;

use crate::error::ApiError;

/// Converts an input value into the domain's type; fails on input GraphQL's types cannot rule
/// out (e.g. a grade given as both a band and another grade).
pub trait ToDomain {
    type Out;
    fn to_domain(self) -> Result<Self::Out, ApiError>;
}

macro_rules! same_in_domain {
    ($($t:ty),*) => {$(
        impl ToDomain for $t {
            type Out = $t;
            fn to_domain(self) -> Result<$t, ApiError> { Ok(self) }
        }
    )*};
}
same_in_domain!(Uuid, NaiveDate, String, bool, u8, u16, u32, f64);

impl<T: ToDomain> ToDomain for Option<T> {
    type Out = Option<T::Out>;
    fn to_domain(self) -> Result<Self::Out, ApiError> {
        self.map(T::to_domain).transpose()
    }
}

impl<T: ToDomain> ToDomain for Vec<T> {
    type Out = Vec<T::Out>;
    fn to_domain(self) -> Result<Self::Out, ApiError> {
        self.into_iter().map(T::to_domain).collect()
    }
}

/// Free text that may hold personal or confidential content (notes, summaries, narratives);
/// a plain `String` in the schema, the domain's `Narrative` inside.
#[derive(NewType, Debug, Clone)]
pub struct Text(pub String);

impl ToDomain for Text {
    type Out = Narrative;
    fn to_domain(self) -> Result<Narrative, ApiError> {
        Ok(Narrative(self.0))
    }
}

/// Declares a GraphQL enum mirroring a domain enum variant for variant.
macro_rules! domain_enum {
    ($(#[$m:meta])* $name:ident = $remote:literal, $domain:ty { $($(#[$vm:meta])* $v:ident),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
        #[graphql(remote = $remote)]
        pub enum $name { $($(#[$vm])* $v),+ }

        impl ToDomain for $name {
            type Out = $domain;
            fn to_domain(self) -> Result<$domain, ApiError> { Ok(self.into()) }
        }
    };
}

domain_enum!(
    OrganisationKind = "hrledger_domain::organisation::OrganisationKind",
    organisation::OrganisationKind {
        ClinicalCommissioningGroup,
        IntegratedCareBoard,
        Trust,
        CommissioningSupportUnit,
        IndependentProvider,
        Other,
    }
);

domain_enum!(
    /// Why employment ended. Objections to a transfer are recorded on the transfer case.
    LeavingReason = "hrledger_domain::employee::LeavingReason", employee::LeavingReason {
    Resignation, Redundancy, Dismissal, Retirement, EndOfFixedTerm, Death, ObjectedToTransfer, Other,
});

domain_enum!(
    /// Agenda for Change pay band.
    Band = "hrledger_domain::AfcBand", AfcBand {
    #[graphql(name = "BAND_1")] B1,
    #[graphql(name = "BAND_2")] B2,
    #[graphql(name = "BAND_3")] B3,
    #[graphql(name = "BAND_4")] B4,
    #[graphql(name = "BAND_5")] B5,
    #[graphql(name = "BAND_6")] B6,
    #[graphql(name = "BAND_7")] B7,
    #[graphql(name = "BAND_8A")] B8a,
    #[graphql(name = "BAND_8B")] B8b,
    #[graphql(name = "BAND_8C")] B8c,
    #[graphql(name = "BAND_8D")] B8d,
    #[graphql(name = "BAND_9")] B9,
});

domain_enum!(
    CaseKind = "hrledger_domain::AggregateKind",
    AggregateKind {
        Organisation,
        Employee,
        Programme,
        Transfer,
        Consultation,
        Appointment,
        Displacement,
        Mediation,
    }
);

domain_enum!(
    TransferBasis = "hrledger_domain::transfer::TransferBasis",
    transfer::TransferBasis {
        TupeBusinessTransfer,
        TupeServiceProvisionChange,
        Cosop,
    }
);

domain_enum!(
    /// Which side of a transfer: each owes the inform-and-consult duty to its own staff.
    Party = "hrledger_domain::transfer::Party", transfer::Party { Transferor, Transferee });

domain_enum!(
    RepresentativeKind = "hrledger_domain::transfer::RepresentativeKind",
    transfer::RepresentativeKind {
        RecognisedUnion,
        Existing,
        Elected,
    }
);

domain_enum!(
    ConsultationKind = "hrledger_domain::consultation::ConsultationKind",
    consultation::ConsultationKind {
        TupeReg13,
        CollectiveRedundancyS188,
        OrganisationalChange,
    }
);

domain_enum!(
    FillRoute = "hrledger_domain::appointment::FillRoute",
    appointment::FillRoute {
        DirectSlotIn,
        CompetitiveSlotIn,
        RingFenced,
        Open,
    }
);

domain_enum!(
    SelectionStage = "hrledger_domain::appointment::SelectionStage",
    appointment::SelectionStage {
        Shortlisting,
        Interview,
        AssessmentCentre,
        Test,
    }
);

domain_enum!(
    SaeResponse = "hrledger_domain::displacement::SaeResponse",
    displacement::SaeResponse {
        Pending,
        Accepted,
        RefusedReasonably,
        RefusedUnreasonably,
    }
);

domain_enum!(
    Referrer = "hrledger_domain::mediation::Referrer",
    mediation::Referrer {
        Manager,
        SelfReferral,
        HumanResources,
    }
);

/// Why contractual terms are varied (TUPE reg 4(4)-(5B) decides whether that is allowed).
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum VariationReason {
    EtoWorkforceChange,
    ContractPermits,
    CollectiveAgreement,
    EmployeeRequest,
    Other,
}

impl VariationReason {
    /// `no_less_favourable` only matters for collective-agreement changes.
    pub fn to_domain(
        self,
        no_less_favourable: Option<bool>,
    ) -> Result<employee::VariationReason, ApiError> {
        use employee::VariationReason as D;
        Ok(match self {
            VariationReason::EtoWorkforceChange => D::EtoWorkforceChange,
            VariationReason::ContractPermits => D::ContractPermits,
            VariationReason::CollectiveAgreement => D::CollectiveAgreement {
                no_less_favourable: no_less_favourable.ok_or_else(|| {
                    ApiError::validation("a collective-agreement variation needs noLessFavourable")
                })?,
            },
            VariationReason::EmployeeRequest => D::EmployeeRequest,
            VariationReason::Other => D::Other,
        })
    }
}

/// How a mediation case ended.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediationOutcome {
    ResolvedInformally,
    PartiallyResolved,
    NotResolved,
    Declined,
    Withdrawn,
}

impl MediationOutcome {
    pub fn to_domain(self, grievance_reference: Option<String>) -> mediation::MediationOutcome {
        use mediation::MediationOutcome as D;
        match self {
            MediationOutcome::ResolvedInformally => D::ResolvedInformally,
            MediationOutcome::PartiallyResolved => D::PartiallyResolved,
            MediationOutcome::NotResolved => D::NotResolved {
                grievance_reference,
            },
            MediationOutcome::Declined => D::Declined,
            MediationOutcome::Withdrawn => D::Withdrawn,
        }
    }
}

/// A pay grade: an Agenda for Change band (with pay point), or another grade (VSM, medical,
/// local). Give exactly one of `band` and `otherGrade`.
#[derive(InputObject, Debug, Clone)]
pub struct GradeInput {
    pub band: Option<Band>,
    pub pay_point: Option<u8>,
    pub other_grade: Option<String>,
}

impl ToDomain for GradeInput {
    type Out = Grade;
    fn to_domain(self) -> Result<Grade, ApiError> {
        match (self.band, self.other_grade) {
            (Some(band), None) => Ok(Grade::AgendaForChange {
                band: band.into(),
                pay_point: self.pay_point,
            }),
            (None, Some(grade)) if self.pay_point.is_none() => Ok(Grade::Other { grade }),
            _ => Err(ApiError::validation(
                "a grade is either an Agenda for Change band (with an optional pay point) or an otherGrade, not both or neither",
            )),
        }
    }
}

/// A post as payroll sees it.
#[derive(InputObject, Debug, Clone)]
pub struct AssignmentInput {
    pub assignment_number: String,
    pub position_code: String,
    pub job_title: String,
    pub staff_group: String,
    pub grade: GradeInput,
    /// Full-time equivalent, 0 < fte <= 1.
    pub fte: f64,
    pub cost_centre: String,
    pub location: String,
}

impl ToDomain for AssignmentInput {
    type Out = Assignment;
    fn to_domain(self) -> Result<Assignment, ApiError> {
        Ok(Assignment {
            assignment_number: self.assignment_number,
            position_code: self.position_code,
            job_title: self.job_title,
            staff_group: self.staff_group,
            grade: self.grade.to_domain()?,
            fte: self.fte,
            cost_centre: self.cost_centre,
            location: self.location,
        })
    }
}

/// Personal data of one person, kept apart so it can be erased on request.
#[derive(InputObject, Debug, Clone)]
pub struct PersonalDetailsInput {
    pub given_name: String,
    pub family_name: String,
    pub ni_number: Option<String>,
    pub date_of_birth: Option<NaiveDate>,
    pub email: Option<String>,
}

impl ToDomain for PersonalDetailsInput {
    type Out = PersonalDetails;
    fn to_domain(self) -> Result<PersonalDetails, ApiError> {
        Ok(PersonalDetails {
            given_name: self.given_name,
            family_name: self.family_name,
            ni_number: self.ni_number,
            date_of_birth: self.date_of_birth,
            email: self.email,
        })
    }
}

/// Local policy of a programme where the law sets no figure.
#[derive(InputObject, Debug, Clone)]
pub struct PolicyInput {
    /// Minimum match (%) between an old and a new post for a direct slot-in.
    pub slot_in_match_percent: u8,
    /// Proposed redundancies that trigger collective consultation.
    pub collective_consultation_threshold: u32,
    /// Trial period in a suitable alternative post, in weeks.
    pub trial_period_weeks: u32,
}

impl ToDomain for PolicyInput {
    type Out = programme::Policy;
    fn to_domain(self) -> Result<programme::Policy, ApiError> {
        Ok(programme::Policy {
            slot_in_match_percent: self.slot_in_match_percent,
            collective_consultation_threshold: self.collective_consultation_threshold,
            trial_period_weeks: self.trial_period_weeks,
        })
    }
}

/// A case of any kind.
#[derive(InputObject, Debug, Clone)]
pub struct CaseRefInput {
    pub kind: CaseKind,
    pub id: Uuid,
}

impl ToDomain for CaseRefInput {
    type Out = CaseRef;
    fn to_domain(self) -> Result<CaseRef, ApiError> {
        Ok(CaseRef {
            kind: self.kind.into(),
            id: self.id,
        })
    }
}

/// One employee to scope into a transfer.
#[derive(InputObject, Debug, Clone)]
pub struct StaffToScopeInput {
    pub employee_id: Uuid,
    /// The post with the transferee, when known; otherwise the current assignment moves as is.
    pub transferee_assignment: Option<AssignmentInput>,
}

impl ToDomain for StaffToScopeInput {
    type Out = transfer::StaffToScope;
    fn to_domain(self) -> Result<transfer::StaffToScope, ApiError> {
        Ok(transfer::StaffToScope {
            employee_id: self.employee_id,
            transferee_assignment: self.transferee_assignment.to_domain()?,
        })
    }
}

/// A post in the new structure.
#[derive(InputObject, Debug, Clone)]
pub struct PostInput {
    pub position_code: String,
    pub job_title: String,
    pub staff_group: String,
    pub grade: GradeInput,
    pub job_evaluation_score: Option<u16>,
    pub cost_centre: String,
    pub location: String,
}

impl ToDomain for PostInput {
    type Out = appointment::Post;
    fn to_domain(self) -> Result<appointment::Post, ApiError> {
        Ok(appointment::Post {
            position_code: self.position_code,
            job_title: self.job_title,
            staff_group: self.staff_group,
            grade: self.grade.to_domain()?,
            job_evaluation_score: self.job_evaluation_score,
            cost_centre: self.cost_centre,
            location: self.location,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_grade_is_a_band_or_another_grade_never_both() {
        let band = GradeInput {
            band: Some(Band::B5),
            pay_point: Some(2),
            other_grade: None,
        };
        assert!(matches!(
            band.to_domain(),
            Ok(Grade::AgendaForChange {
                band: AfcBand::B5,
                pay_point: Some(2)
            })
        ));
        let both = GradeInput {
            band: Some(Band::B5),
            pay_point: None,
            other_grade: Some("VSM".into()),
        };
        assert!(both.to_domain().is_err());
        let neither = GradeInput {
            band: None,
            pay_point: None,
            other_grade: None,
        };
        assert!(neither.to_domain().is_err());
    }

    #[test]
    fn collective_variations_need_the_favourability_answer() {
        assert!(VariationReason::CollectiveAgreement
            .to_domain(None)
            .is_err());
        assert!(VariationReason::CollectiveAgreement
            .to_domain(Some(true))
            .is_ok());
        assert!(VariationReason::Other.to_domain(None).is_ok());
    }
}
