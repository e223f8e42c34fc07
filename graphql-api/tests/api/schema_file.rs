//! `graphql-api/schema.graphql` is the exported SDL; it must match the code.

use std::path::PathBuf;

#[test]
fn committed_sdl_matches_the_schema() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("schema.graphql");
    let sdl = hrledger_graphql::schema::sdl();
    if std::env::var("HRLEDGER_UPDATE_SCHEMA").as_deref() == Ok("1") {
        std::fs::write(&path, &sdl).expect("write schema.graphql");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == sdl,
        "graphql-api/schema.graphql is out of date with the code; regenerate it with \
         `HRLEDGER_UPDATE_SCHEMA=1 cargo test -p hrledger-graphql --test api schema_file` and review the diff \
         (integrators depend on it)"
    );
}
