//! The parts of `bench_api`: ledger generation, the HTTP load generator and the command rounds
//! (the raw engine's commit rate comes from `hrledger_store::raw_table`).

pub mod commands;
pub mod cpu;
pub mod generate;
pub mod load;

/// Prints one JSON line with its fields in the given order.
pub fn line(fields: &[(&str, serde_json::Value)]) {
    let body: Vec<String> = fields
        .iter()
        .map(|(k, v)| format!("{}:{v}", serde_json::Value::from(*k)))
        .collect();
    println!("{{{}}}", body.join(","));
}
