//! A deterministic merger programme, generated from a seed: four commissioning organisations
//! merge into one successor on day one, with staff, a restructure consultation and COSOP
//! transfers with ELI, measures and objections.
//!
//! The demo, the tests of every crate and the benchmarks replay it through [`Ledger::execute`],
//! the one write path — no direct table writes. Names are invented.

use std::sync::Arc;

use chrono::{Days, NaiveDate, TimeZone, Utc};
use hrledger_domain::appointment::{FillRoute, Post, SelectionStage};
use hrledger_domain::common::CaseRef;
use hrledger_domain::common::{Assignment, Grade, Narrative, PersonalDetails};
use hrledger_domain::displacement::SaeResponse;
use hrledger_domain::mediation::{MediationOutcome, Referrer};
use hrledger_domain::organisation::OrganisationKind;
use hrledger_domain::transfer::{Party, RepresentativeKind, StaffToScope, TransferBasis};
use hrledger_domain::{
    appointment, consultation, displacement, employee, mediation, organisation, programme,
    transfer, AfcBand, AggregateKind, LedgerCommand,
};
use uuid::Uuid;

use crate::{Actor, CommandError, CommandOptions, Ledger, Outcome, SystemClock};

/// Staff per organisation from which the programme also has executive appointments,
/// displaced staff and a mediation case (they need distinct post-holders: chief officers and
/// directors at 1..=4, at-risk staff at 6..=8, mediation parties at 6..=7 of the third body,
/// objectors last).
pub const FULL_PROGRAMME_STAFF: usize = 12;

/// What to generate.
#[derive(Debug, Clone)]
pub struct ScenarioConfig {
    pub seed: u64,
    pub staff_per_organisation: usize,
    /// The legal day one of the successor organisation.
    pub day_one: NaiveDate,
    /// Days before the transfer on which ELI is given by the last predecessor (28 or more is on
    /// time; fewer shows a reg 11 risk on the deadlines board).
    pub late_eli_days: u64,
    /// How many staff object to the transfer (reg 4(7)).
    pub objectors: usize,
    /// Prefixed to organisation codes, so many programmes can share one ledger (benchmarks).
    pub code_prefix: String,
}

impl Default for ScenarioConfig {
    fn default() -> Self {
        ScenarioConfig {
            seed: 2026,
            staff_per_organisation: 75,
            day_one: NaiveDate::from_ymd_opt(2026, 4, 1).expect("valid date"),
            late_eli_days: 21,
            code_prefix: String::new(),
            objectors: 2,
        }
    }
}

/// One command of the scenario, with the reason an adviser would record.
#[derive(Debug, Clone)]
pub struct Step {
    pub command: LedgerCommand,
    pub reason: String,
    pub command_id: Uuid,
}

/// The generated programme: its identities (for queries and assertions) and its steps in order.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub programme_id: Uuid,
    pub predecessors: Vec<String>,
    pub successor: String,
    /// Employees per predecessor, in the order of `predecessors`.
    pub staff: Vec<Vec<Uuid>>,
    /// One COSOP transfer per predecessor.
    pub transfers: Vec<Uuid>,
    pub objectors: Vec<Uuid>,
    pub consultation_id: Uuid,
    /// The Accountable Officer's appointment, then the executive team's.
    pub appointments: Vec<Uuid>,
    pub displacements: Vec<Uuid>,
    pub mediation_id: Uuid,
    pub steps: Vec<Step>,
}

impl Scenario {
    pub fn all_staff(&self) -> impl Iterator<Item = &Uuid> {
        self.staff.iter().flatten()
    }

    /// Replays every step through the command path; stops at the first refused command.
    pub async fn run(&self, ledger: &Ledger, actor: &Actor) -> Result<Vec<Outcome>, CommandError> {
        let mut outcomes = Vec::with_capacity(self.steps.len());
        for step in &self.steps {
            let options = CommandOptions::new(step.command_id, step.reason.clone())
                .correlated(self.programme_id);
            outcomes.push(
                ledger
                    .execute(step.command.clone(), actor, &options)
                    .await?,
            );
        }
        Ok(outcomes)
    }
}

/// A small deterministic generator (SplitMix64): the same seed gives the same programme.
pub struct Seeded(u64);

impl Seeded {
    pub fn new(seed: u64) -> Self {
        Seeded(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// A random (version 4) UUID drawn from the seed.
    pub fn uuid(&mut self) -> Uuid {
        let bytes = ((self.next_u64() as u128) << 64 | self.next_u64() as u128).to_be_bytes();
        uuid::Builder::from_random_bytes(bytes).into_uuid()
    }
}

const GIVEN: &[&str] = &[
    "Amara", "Bethany", "Callum", "Delyth", "Eamon", "Farida", "Gareth", "Hollie", "Idris",
    "Jasmin", "Kofi", "Leanne", "Mared", "Nikhil", "Olwen", "Priya", "Rhys", "Saoirse", "Tomasz",
    "Ulla", "Vikram", "Wren", "Yusuf", "Zara",
];
const FAMILY: &[&str] = &[
    "Abernethy",
    "Brightwell",
    "Cadwallader",
    "Dunmore",
    "Ellingham",
    "Fairweather",
    "Goodacre",
    "Hollinshead",
    "Illingworth",
    "Jephcott",
    "Kettleborough",
    "Lindqvist",
    "Mabbutt",
    "Nettleship",
    "Okonkwo",
    "Pemberton",
    "Quenby",
    "Rowbotham",
    "Sandiford",
    "Threlfall",
    "Upjohn",
    "Varley",
    "Whitelegg",
    "Yardley",
];
const POSTS: &[(&str, &str, AfcBand)] = &[
    ("Commissioning Manager", "Admin & Clerical", AfcBand::B7),
    ("Senior Contracts Officer", "Admin & Clerical", AfcBand::B6),
    ("Finance Analyst", "Admin & Clerical", AfcBand::B5),
    ("Quality Lead Nurse", "Nursing & Midwifery", AfcBand::B8a),
    (
        "Business Intelligence Analyst",
        "Admin & Clerical",
        AfcBand::B6,
    ),
    ("Personal Assistant", "Admin & Clerical", AfcBand::B4),
    (
        "Medicines Optimisation Pharmacist",
        "Add Prof Scientific & Technical",
        AfcBand::B8b,
    ),
    ("Administrator", "Admin & Clerical", AfcBand::B3),
];
const PLACES: &[&str] = &["North", "South", "East", "West"];

/// Generates the programme. Dates are laid out backwards from day one, as advisers plan them.
pub fn merger_programme(config: ScenarioConfig) -> Scenario {
    let mut rng = Seeded::new(config.seed);
    let mut b = Builder {
        steps: Vec::new(),
        rng: Seeded::new(config.seed ^ 0xA5A5_A5A5),
    };
    let d = |days_before: u64| config.day_one - Days::new(days_before);
    let prefix = &config.code_prefix;
    let predecessors: Vec<String> = PLACES
        .iter()
        .map(|p| format!("{prefix}{}CCG", &p[..1]))
        .collect();
    let successor = format!("{prefix}ICB");
    let programme_id = rng.uuid();

    for (i, code) in predecessors.iter().enumerate() {
        b.push(
            organisation::Command::RegisterOrganisation {
                code: code.clone(),
                name: format!("NHS {} Shire Clinical Commissioning Group", PLACES[i]),
                kind: OrganisationKind::ClinicalCommissioningGroup,
                payroll_database_id: Some(format!("VPD{}", 401 + i)),
                effective_date: d(400),
            },
            "predecessor organisation recorded for the merger programme",
        );
    }
    b.push(
        organisation::Command::RegisterOrganisation {
            code: successor.clone(),
            name: "NHS Shire Integrated Care Board".into(),
            kind: OrganisationKind::IntegratedCareBoard,
            payroll_database_id: Some("VPD400".into()),
            effective_date: d(200),
        },
        "successor body established by order",
    );
    b.push(
        programme::Command::OpenProgramme {
            programme_id,
            name: "Shire commissioning merger".into(),
            predecessors: predecessors.clone(),
            successor: successor.clone(),
            legal_day_one: config.day_one,
            policy: None,
            effective_date: d(200),
        },
        "programme board approved the merger timetable",
    );

    let staff: Vec<Vec<Uuid>> = predecessors
        .iter()
        .enumerate()
        .map(|(i, code)| b.hire_staff(&mut rng, code, i, config.staff_per_organisation, d(380)))
        .collect();

    let consultation_id = rng.uuid();
    b.restructure_consultation(
        programme_id,
        consultation_id,
        &predecessors[0],
        d(150),
        d(60),
    );

    let mut transfers = Vec::new();
    let mut objectors = Vec::new();
    for (i, code) in predecessors.iter().enumerate() {
        let transfer_id = rng.uuid();
        let eli_days = if i + 1 == predecessors.len() {
            config.late_eli_days
        } else {
            60
        };
        let objecting: Vec<Uuid> = if i == 0 {
            staff[i]
                .iter()
                .rev()
                .take(config.objectors)
                .copied()
                .collect()
        } else {
            Vec::new()
        };
        objectors.extend(&objecting);
        b.cosop_transfer(
            programme_id,
            transfer_id,
            code,
            &successor,
            &staff[i],
            &objecting,
            config.day_one,
            eli_days,
        );
        transfers.push(transfer_id);
    }
    let mediation_id = rng.uuid();
    let (mut appointments, mut displacements) = (Vec::new(), Vec::new());
    // Small test programmes skip the cases that need named post-holders.
    if config.staff_per_organisation >= FULL_PROGRAMME_STAFF {
        appointments = b.executive_appointments(&mut rng, programme_id, &staff, config.day_one);
        displacements = b.displaced_staff(
            &mut rng,
            consultation_id,
            &predecessors[0],
            &staff[0],
            config.day_one,
        );
        b.mediation(mediation_id, &staff[2][6..8], d(70));
    }

    // One payroll freeze window moves every predecessor's database into the successor's.
    let from_databases: Vec<String> = (0..predecessors.len())
        .map(|i| format!("VPD{}", 401 + i))
        .collect();
    b.push(
        programme::Command::SchedulePayrollMerge {
            programme_id,
            from_database: from_databases.join(","),
            to_database: "VPD400".into(),
            merge_date: config.day_one + Days::new(5),
            freeze_from: config.day_one + Days::new(3),
            freeze_until: config.day_one + Days::new(6),
            effective_date: d(45),
        },
        "payroll databases of the predecessors to move into the successor's",
    );
    b.push(
        programme::Command::CompletePayrollMerge {
            programme_id,
            effective_date: config.day_one + Days::new(6),
        },
        "all payroll databases merged; first combined payroll reconciled",
    );

    Scenario {
        programme_id,
        predecessors,
        successor,
        staff,
        transfers,
        objectors,
        consultation_id,
        appointments,
        displacements,
        mediation_id,
        steps: b.steps,
    }
}

struct Builder {
    steps: Vec<Step>,
    rng: Seeded,
}

impl Builder {
    fn push(&mut self, command: impl Into<LedgerCommand>, reason: &str) {
        let command_id = self.rng.uuid();
        self.steps.push(Step {
            command: command.into(),
            reason: reason.to_string(),
            command_id,
        });
    }

    fn hire_staff(
        &mut self,
        rng: &mut Seeded,
        employer: &str,
        org_index: usize,
        count: usize,
        on: NaiveDate,
    ) -> Vec<Uuid> {
        (0..count)
            .map(|n| {
                let employee_id = rng.uuid();
                let (title, group, band) = *rng.pick(POSTS);
                let given = rng.pick(GIVEN).to_string();
                let family = rng.pick(FAMILY).to_string();
                let years_back = rng.below(15);
                let start = on - Days::new(365 * years_back + rng.below(300));
                let prior_nhs = rng.below(4) == 0;
                let csd = if prior_nhs {
                    start - Days::new(365 * (1 + rng.below(8)))
                } else {
                    start
                };
                self.push(
                    employee::Command::RegisterEmployee {
                        employee_id,
                        personal: PersonalDetails {
                            given_name: given,
                            family_name: family,
                            ni_number: Some(ni_number(rng)),
                            date_of_birth: NaiveDate::from_ymd_opt(
                                1960 + rng.below(40) as i32,
                                1 + rng.below(12) as u32,
                                1 + rng.below(28) as u32,
                            ),
                            email: None,
                        },
                        effective_date: start,
                    },
                    "staff record migrated from the predecessor's payroll extract",
                );
                self.push(
                    employee::Command::StartEmployment {
                        employee_id,
                        employer_code: employer.to_string(),
                        start_date: start,
                        continuous_service_date: Some(csd),
                        assignment: Assignment {
                            assignment_number: format!("{}{:05}-1", 401 + org_index, n + 1),
                            position_code: format!("P{}{:04}", org_index + 1, n + 1),
                            job_title: title.to_string(),
                            staff_group: group.to_string(),
                            grade: Grade::AgendaForChange {
                                band,
                                pay_point: Some(1 + rng.below(3) as u8),
                            },
                            fte: if rng.below(5) == 0 { 0.6 } else { 1.0 },
                            cost_centre: format!("{}{:03}", 400 + org_index, 100 + rng.below(20)),
                            location: format!("{} Shire House", PLACES[org_index]),
                        },
                    },
                    "employment as held on the predecessor's payroll",
                );
                employee_id
            })
            .collect()
    }

    fn restructure_consultation(
        &mut self,
        programme_id: Uuid,
        consultation_id: Uuid,
        employer: &str,
        opened: NaiveDate,
        first_dismissal: NaiveDate,
    ) {
        self.push(
            consultation::Command::OpenConsultation {
                consultation_id,
                programme_id: Some(programme_id),
                kind: consultation::ConsultationKind::CollectiveRedundancyS188,
                employer: employer.to_string(),
                establishment: "Shire House".into(),
                proposal: Narrative("Single corporate services structure for the new body".into()),
                proposed_dismissals: 24,
                planned_first_dismissal: Some(first_dismissal),
                effective_date: opened,
            },
            "restructure proposal approved for formal consultation",
        );
        self.push(
            programme::Command::LinkCase {
                programme_id,
                case: CaseRef {
                    kind: AggregateKind::Consultation,
                    id: consultation_id,
                },
                effective_date: opened,
            },
            "restructure consultation is part of the merger programme",
        );
        self.push(
            consultation::Command::SubmitHr1 {
                consultation_id,
                reference: "HR1-2026-0042".into(),
                dismissals: 24,
                effective_date: opened,
            },
            "HR1 sent to the Insolvency Service with a copy to the representatives",
        );
        for week in [1u64, 3, 5] {
            self.push(
                consultation::Command::HoldMeeting {
                    consultation_id,
                    summary: Narrative(format!("Consultation meeting, week {week}")),
                    effective_date: opened + Days::new(7 * week),
                },
                "formal consultation meeting with the recognised unions",
            );
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn cosop_transfer(
        &mut self,
        programme_id: Uuid,
        transfer_id: Uuid,
        transferor: &str,
        transferee: &str,
        staff: &[Uuid],
        objectors: &[Uuid],
        day_one: NaiveDate,
        eli_days: u64,
    ) {
        let d = |days_before: u64| day_one - Days::new(days_before);
        self.push(
            transfer::Command::ProposeTransfer {
                transfer_id,
                programme_id: Some(programme_id),
                basis: TransferBasis::Cosop,
                transferor: transferor.to_string(),
                transferee: transferee.to_string(),
                transfer_date: day_one,
                effective_date: d(150),
            },
            "staff transfer under the statutory transfer scheme (COSOP)",
        );
        self.push(
            programme::Command::LinkCase {
                programme_id,
                case: CaseRef {
                    kind: AggregateKind::Transfer,
                    id: transfer_id,
                },
                effective_date: d(150),
            },
            "transfer is part of the merger programme",
        );
        self.push(
            transfer::Command::ScopeStaffIn {
                transfer_id,
                staff: staff
                    .iter()
                    .map(|id| StaffToScope {
                        employee_id: *id,
                        transferee_assignment: None,
                    })
                    .collect(),
                effective_date: d(140),
            },
            "all staff of the organisation transfer (lift and shift)",
        );
        for party in [Party::Transferor, Party::Transferee] {
            self.push(
                transfer::Command::IdentifyRepresentatives {
                    transfer_id,
                    party,
                    kind: RepresentativeKind::RecognisedUnion,
                    description: Narrative("UNISON and RCN staff-side".into()),
                    effective_date: d(140),
                },
                "recognised unions are the appropriate representatives (reg 14)",
            );
        }
        self.push(
            transfer::Command::NotifyMeasures {
                transfer_id,
                by: Party::Transferee,
                measures: vec![
                    "Single payroll database from day one".into(),
                    "New cost centre structure".into(),
                ],
                effective_date: d(120),
            },
            "transferee's envisaged measures notified in good time (reg 13(4))",
        );
        for party in [Party::Transferor, Party::Transferee] {
            self.push(
                transfer::Command::GiveInformation {
                    transfer_id,
                    by: party,
                    items: vec![
                        "date and reasons".into(),
                        "legal, economic and social implications".into(),
                        "measures envisaged".into(),
                    ],
                    effective_date: d(110),
                },
                "reg 13(2) information given to the representatives",
            );
        }
        self.push(
            transfer::Command::HoldConsultationMeeting {
                transfer_id,
                by: Party::Transferee,
                summary: Narrative("Consultation on the measures with staff-side".into()),
                effective_date: d(100),
            },
            "consultation on measures with a view to seeking agreement (reg 13(6))",
        );
        self.push(
            transfer::Command::ConfirmTransferDate {
                transfer_id,
                effective_date: d(90),
            },
            "transfer order laid; date confirmed",
        );
        self.push(
            transfer::Command::ProvideEmployeeLiabilityInformation {
                transfer_id,
                employee_ids: staff.to_vec(),
                as_at: d(eli_days + 7),
                effective_date: d(eli_days),
            },
            "employee liability information sent to the transferee (reg 11)",
        );
        for objector in objectors {
            self.push(
                transfer::Command::ReceiveObjection {
                    transfer_id,
                    employee_id: *objector,
                    received_by: Party::Transferor,
                    effective_date: d(20),
                },
                "written objection to becoming employed by the transferee (reg 4(7))",
            );
        }
        self.push(
            transfer::Command::CompleteTransfer { transfer_id },
            "legal day one: staff transferred with continuity of service",
        );
    }
}

impl Builder {
    /// The Accountable Officer through an assessment centre open to the four chief officers,
    /// then three executive directors by ring-fenced competition among the predecessors'
    /// directors. Appointments start on day one, after the transfers.
    fn executive_appointments(
        &mut self,
        rng: &mut Seeded,
        programme_id: Uuid,
        staff: &[Vec<Uuid>],
        day_one: NaiveDate,
    ) -> Vec<Uuid> {
        let chief_officers: Vec<Uuid> = staff.iter().map(|s| s[1]).collect();
        let mut ids = vec![rng.uuid()];
        self.appoint(
            ids[0],
            programme_id,
            ("VSM0001", "Accountable Officer"),
            &chief_officers,
            &[
                SelectionStage::Shortlisting,
                SelectionStage::AssessmentCentre,
                SelectionStage::Interview,
            ],
            day_one,
        );
        let directors = [
            ("VSM0002", "Director of Finance"),
            ("VSM0003", "Director of Nursing and Quality"),
            ("VSM0004", "Director of Commissioning"),
        ];
        for (n, post) in directors.into_iter().enumerate() {
            let pool: Vec<Uuid> = staff.iter().map(|s| s[2 + n]).collect(); // directors at 2..=4
            let id = rng.uuid();
            self.appoint(
                id,
                programme_id,
                post,
                &pool,
                &[SelectionStage::Interview],
                day_one,
            );
            ids.push(id);
        }
        ids
    }

    fn appoint(
        &mut self,
        appointment_id: Uuid,
        programme_id: Uuid,
        (position_code, title): (&str, &str),
        pool: &[Uuid],
        stages: &[SelectionStage],
        day_one: NaiveDate,
    ) {
        let d = |days_before: u64| day_one - Days::new(days_before);
        self.push(
            appointment::Command::EstablishPost {
                appointment_id,
                programme_id: Some(programme_id),
                post: Post {
                    position_code: position_code.into(),
                    job_title: title.into(),
                    staff_group: "Executive".into(),
                    grade: Grade::Other {
                        grade: "VSM".into(),
                    },
                    job_evaluation_score: None,
                    cost_centre: "400001".into(),
                    location: "Shire House".into(),
                },
                route: FillRoute::RingFenced,
                effective_date: d(130),
            },
            &format!("{title} post in the successor's executive structure"),
        );
        self.push(
            programme::Command::LinkCase {
                programme_id,
                case: CaseRef {
                    kind: AggregateKind::Appointment,
                    id: appointment_id,
                },
                effective_date: d(130),
            },
            "appointment is part of the merger programme",
        );
        self.push(
            appointment::Command::DeclarePool {
                appointment_id,
                employee_ids: pool.to_vec(),
                effective_date: d(125),
            },
            "ring-fenced to the predecessors' post-holders at risk of displacement",
        );
        for (i, stage) in stages.iter().enumerate() {
            self.push(
                appointment::Command::HoldSelectionStage {
                    appointment_id,
                    stage: *stage,
                    candidate_ids: pool.to_vec(),
                    effective_date: d(110 - 5 * i as u64),
                },
                "selection stage held by the appointment panel",
            );
        }
        let chosen = pool[0];
        let steps: Vec<(LedgerCommand, &str)> = vec![
            (
                appointment::Command::CloseSelection {
                    appointment_id,
                    selected: chosen,
                    effective_date: d(95),
                }
                .into(),
                "panel's unanimous recommendation",
            ),
            (
                appointment::Command::MakeOffer {
                    appointment_id,
                    employee_id: chosen,
                    start_date: day_one,
                    effective_date: d(94),
                }
                .into(),
                "conditional offer made",
            ),
            (
                appointment::Command::AcceptOffer {
                    appointment_id,
                    effective_date: d(90),
                }
                .into(),
                "offer accepted in writing",
            ),
            (
                appointment::Command::ConfirmAppointment { appointment_id }.into(),
                "appointment confirmed from day one",
            ),
        ];
        for (command, reason) in steps {
            self.push(command, reason);
        }
    }

    /// Staff displaced by the restructure: two redeployed after a trial period in a suitable
    /// alternative post, one still at risk with an offer outstanding.
    fn displaced_staff(
        &mut self,
        rng: &mut Seeded,
        consultation_id: Uuid,
        employer: &str,
        staff: &[Uuid],
        day_one: NaiveDate,
    ) -> Vec<Uuid> {
        let d = |days_before: u64| day_one - Days::new(days_before);
        let at_risk = &staff[6..9];
        let mut ids = Vec::new();
        for (n, employee_id) in at_risk.iter().enumerate() {
            let displacement_id = rng.uuid();
            let offer_id = rng.uuid();
            ids.push(displacement_id);
            self.push(
                displacement::Command::NotifyAtRisk {
                    displacement_id,
                    employee_id: *employee_id,
                    employer: employer.to_string(),
                    consultation_id: Some(consultation_id),
                    reason: "post deleted in the single corporate services structure".into(),
                    effective_date: d(120),
                },
                "at-risk letter issued; added to the redeployment register",
            );
            self.push(
                displacement::Command::OfferSuitableAlternative {
                    displacement_id,
                    offer_id,
                    post_title: "Contracts Manager".into(),
                    grade: Grade::AgendaForChange {
                        band: AfcBand::B7,
                        pay_point: Some(1),
                    },
                    effective_date: d(100),
                },
                "priority interview passed; suitable alternative post offered",
            );
            if n == 2 {
                continue; // still considering the offer
            }
            let steps: Vec<(LedgerCommand, &str)> = vec![
                (
                    displacement::Command::RecordSaeResponse {
                        displacement_id,
                        offer_id,
                        response: SaeResponse::Accepted,
                        reason: "accepted subject to trial".into(),
                        effective_date: d(95),
                    }
                    .into(),
                    "offer accepted subject to a statutory trial period",
                ),
                (
                    displacement::Command::StartTrialPeriod {
                        displacement_id,
                        offer_id,
                        ends_on: d(62),
                        retraining_agreed: false,
                        effective_date: d(90),
                    }
                    .into(),
                    "four-week trial period (ERA s.138)",
                ),
                (
                    displacement::Command::EndTrialPeriod {
                        displacement_id,
                        successful: true,
                        effective_date: d(62),
                    }
                    .into(),
                    "trial successful",
                ),
                (
                    displacement::Command::RecordRedeployment {
                        displacement_id,
                        effective_date: d(61),
                    }
                    .into(),
                    "redeployed; no longer at risk",
                ),
            ];
            for (command, reason) in steps {
                self.push(command, reason);
            }
        }
        ids
    }

    /// One early-resolution case between two colleagues, resolved informally.
    fn mediation(&mut self, mediation_id: Uuid, parties: &[Uuid], referred: NaiveDate) {
        // Only a digest of the written agreement is recorded; the text stays with the parties.
        let agreement_hash: String = (0..4)
            .map(|_| format!("{:016x}", self.rng.next_u64()))
            .collect();
        let on = |days: u64| referred + Days::new(days);
        let mut steps: Vec<(LedgerCommand, &str)> = vec![(
            mediation::Command::ReferForMediation {
                mediation_id,
                parties: parties.to_vec(),
                referrer: Referrer::HumanResources,
                legal_proceedings_pending: false,
                referral_notes: "working relationship strained by the restructure".into(),
                effective_date: referred,
            }
            .into(),
            "early resolution offered under the dignity at work policy",
        )];
        for party in parties {
            steps.push((
                mediation::Command::AcceptMediation {
                    mediation_id,
                    party: *party,
                    effective_date: on(2),
                }
                .into(),
                "party agreed to mediation",
            ));
        }
        steps.push((
            mediation::Command::AssignMediators {
                mediation_id,
                mediators: vec![
                    "Accredited mediator A".into(),
                    "Accredited mediator B".into(),
                ],
                effective_date: on(3),
            }
            .into(),
            "co-mediators assigned",
        ));
        for party in parties {
            steps.push((
                mediation::Command::HoldIndividualMeeting {
                    mediation_id,
                    party: *party,
                    notes: "confidential".into(),
                    effective_date: on(7),
                }
                .into(),
                "individual meeting held",
            ));
        }
        steps.push((
            mediation::Command::HoldJointMeeting {
                mediation_id,
                notes: "confidential".into(),
                effective_date: on(10),
            }
            .into(),
            "joint meeting held",
        ));
        steps.push((
            mediation::Command::RecordAgreement {
                mediation_id,
                agreement_hash,
                effective_date: on(10),
            }
            .into(),
            "written agreement held by the parties",
        ));
        steps.push((
            mediation::Command::CloseMediation {
                mediation_id,
                outcome: MediationOutcome::ResolvedInformally,
                effective_date: on(40),
            }
            .into(),
            "follow-up review: resolved",
        ));
        for (command, reason) in steps {
            self.push(command, reason);
        }
    }
}

fn ni_number(rng: &mut Seeded) -> String {
    const LETTERS: &[u8] = b"ABCEGHJKLMNPRSTWXYZ";
    let l = |rng: &mut Seeded| LETTERS[rng.below(LETTERS.len() as u64) as usize] as char;
    format!(
        "{}{}{:06}{}",
        l(rng),
        l(rng),
        rng.below(1_000_000),
        ['A', 'B', 'C', 'D'][rng.below(4) as usize]
    )
}

/// Merger programmes [`fill_ledger`] runs at once, so the store's group commit batches them.
const CONCURRENT_PROGRAMMES: usize = 16;

/// The benchmarks' "now": 1 June 2026, 09:00 UTC. Fixed, so that [`fill_ledger`] writes the
/// same ledger for the same size in every benchmark and every run.
pub fn bench_clock() -> SystemClock {
    let now = Utc.with_ymd_and_hms(2026, 6, 1, 9, 0, 0).unwrap();
    Arc::new(move || now)
}

/// Fills a ledger for benchmarks: whole merger programmes (75 staff per body, about 1,700
/// events each), [`CONCURRENT_PROGRAMMES`] at a time, until the ledger holds at least `target`
/// events. Returns (commands run, events in the ledger).
pub async fn fill_ledger(ledger: &Ledger, target: u64) -> Result<(u64, u64), CommandError> {
    let actor = Actor::new("bench", crate::Role::HrAdviser);
    let mut next = 0u64;
    let mut commands = 0u64;
    while ledger.store().head().await? < target {
        let batch: Vec<_> = (0..CONCURRENT_PROGRAMMES)
            .map(|_| {
                next += 1;
                let scenario = merger_programme(ScenarioConfig {
                    seed: next,
                    code_prefix: format!("P{next}"),
                    ..ScenarioConfig::default()
                });
                let (ledger, actor) = (ledger.clone(), actor.clone());
                tokio::spawn(async move { scenario.run(&ledger, &actor).await.map(|o| o.len()) })
            })
            .collect();
        for task in batch {
            let ran = task.await.expect("a programme task does not panic")?;
            commands += ran as u64;
        }
    }
    Ok((commands, ledger.store().head().await?))
}
