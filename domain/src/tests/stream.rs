use super::fixtures::*;
use crate::{AggregateKind, StreamId};

#[test]
fn stream_ids_format_parse_and_kind() {
    let id = uid(0xabc);
    let s = StreamId::transfer(id);
    assert_eq!(s.as_str(), format!("transfer-{id}"));
    assert_eq!(s.kind(), AggregateKind::Transfer);
    assert_eq!(StreamId::parse(s.as_str()).unwrap(), s);
    let org = StreamId::organisation("15M");
    assert_eq!(org.to_string(), "organisation-15M");
    assert_eq!(
        StreamId::parse("organisation-15M").unwrap().kind(),
        AggregateKind::Organisation
    );
    for (s, k) in [
        (StreamId::employee(id), AggregateKind::Employee),
        (StreamId::programme(id), AggregateKind::Programme),
        (StreamId::consultation(id), AggregateKind::Consultation),
        (StreamId::appointment(id), AggregateKind::Appointment),
        (StreamId::displacement(id), AggregateKind::Displacement),
        (StreamId::mediation(id), AggregateKind::Mediation),
    ] {
        assert_eq!(s.kind(), k);
        assert_eq!(StreamId::parse(s.as_str()).unwrap(), s);
    }
}

#[test]
fn bad_stream_ids_are_refused_also_when_deserialized() {
    for bad in [
        "",
        "transfer",
        "transfer-xyz",
        "widget-1",
        "organisation-a b",
    ] {
        assert_eq!(
            StreamId::parse(bad).unwrap_err().code(),
            "INVALID_COMMAND",
            "{bad}"
        );
    }
    let ok: StreamId = serde_json::from_str(&format!("\"employee-{}\"", uid(1))).unwrap();
    assert_eq!(
        serde_json::to_string(&ok).unwrap(),
        format!("\"employee-{}\"", uid(1))
    );
    assert!(serde_json::from_str::<StreamId>("\"employee-nope\"").is_err());
}
