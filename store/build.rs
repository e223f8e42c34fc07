// `sqlx::migrate!` embeds the migration files at compile time; rebuild when any is added or
// changed (other crates add their read-model migrations to the same directories).
fn main() {
    println!("cargo:rerun-if-changed=../migrations");
}
