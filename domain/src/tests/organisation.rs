use super::fixtures::*;
use super::harness::given;
use crate::ledger::{LedgerCommand, LedgerEvent};
use crate::organisation::{Command as C, *};

fn oc(c: C) -> LedgerCommand {
    LedgerCommand::Organisation(c)
}

fn registered() -> Vec<LedgerEvent> {
    vec![LedgerEvent::Organisation(
        OrganisationRegistered {
            code: "CCG01".into(),
            name: "North CCG".into(),
            kind: OrganisationKind::ClinicalCommissioningGroup,
            payroll_database_id: Some("120".into()),
            effective_date: d(2013, 4, 1),
        }
        .into(),
    )]
}

#[test]
fn register_rename_dissolve() {
    let reg = C::RegisterOrganisation {
        code: "CCG01".into(),
        name: "North CCG".into(),
        kind: OrganisationKind::ClinicalCommissioningGroup,
        payroll_database_id: Some("120".into()),
        effective_date: d(2013, 4, 1),
    };
    given(vec![]).when(oc(reg.clone())).then(registered());
    given(registered())
        .when(oc(reg))
        .then_error("ALREADY_EXISTS");
    let rename = C::RenameOrganisation {
        code: "CCG01".into(),
        new_name: "North and East CCG".into(),
        reason: n("merger of boards"),
        effective_date: d(2020, 4, 1),
    };
    given(registered())
        .when(oc(rename.clone()))
        .then_types(&["OrganisationRenamed"]);
    given(vec![])
        .when(oc(rename.clone()))
        .then_error("NOT_FOUND");
    let dissolve = C::DissolveOrganisation {
        code: "CCG01".into(),
        successor_code: Some("ICB01".into()),
        effective_date: d(2022, 7, 1),
    };
    let ev = given(registered())
        .when(oc(dissolve))
        .then_types(&["OrganisationDissolved"]);
    let mut all = registered();
    all.extend(ev);
    let msg = given(all)
        .when(oc(rename))
        .then_error("ORGANISATION_DISSOLVED");
    assert!(msg.contains("2022-07-01"), "{msg}");
}

#[test]
fn codes_and_successors_are_validated() {
    let bad = C::RegisterOrganisation {
        code: "no spaces".into(),
        name: "X".into(),
        kind: OrganisationKind::Trust,
        payroll_database_id: None,
        effective_date: d(2020, 1, 1),
    };
    given(vec![]).when(oc(bad)).then_error("INVALID_COMMAND");
    let own = C::DissolveOrganisation {
        code: "CCG01".into(),
        successor_code: Some("CCG01".into()),
        effective_date: d(2022, 7, 1),
    };
    given(registered())
        .when(oc(own))
        .then_error("INVALID_COMMAND");
}
