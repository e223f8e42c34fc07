//! The parts of `bench_api`: ledger generation, the HTTP load generator, the command rounds and
//! the raw engine's commit rate.

pub mod commands;
pub mod generate;
pub mod load;
pub mod raw;

/// Prints one JSON line with its fields in the given order.
pub fn line(fields: &[(&str, serde_json::Value)]) {
    let body: Vec<String> = fields
        .iter()
        .map(|(k, v)| format!("{}:{v}", serde_json::Value::from(*k)))
        .collect();
    println!("{{{}}}", body.join(","));
}
