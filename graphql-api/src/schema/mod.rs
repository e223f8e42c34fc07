//! The GraphQL schema: queries, typed command mutations and subscriptions over one ledger.

pub mod access;
pub mod case_detail;
pub mod change_page;
pub mod context;
pub mod inputs;
mod json_check;
pub mod mutation;
pub mod page;
pub mod query;
pub mod raw_json;
mod scalar_text;
mod stored_time;
pub mod subscription;
pub mod types;

use async_graphql::Schema;

pub use access::Access;
pub use context::ApiContext;
pub use mutation::MutationRoot;
pub use query::QueryRoot;
pub use subscription::SubscriptionRoot;

pub type ApiSchema = Schema<QueryRoot, MutationRoot, SubscriptionRoot>;

/// Deepest query accepted. The schema itself has no recursive types, so only introspection can
/// nest deeply; GraphiQL's introspection query needs 13 levels.
pub const MAX_DEPTH: usize = 16;
/// Most fields one query may select (each field counts 1; lists are capped by `first`).
pub const MAX_COMPLEXITY: usize = 2_000;

/// The schema with its limits, serving `context`.
pub fn build(context: ApiContext) -> ApiSchema {
    Schema::build(QueryRoot, MutationRoot::default(), SubscriptionRoot)
        .data(context)
        .limit_depth(MAX_DEPTH)
        .limit_complexity(MAX_COMPLEXITY)
        .finish()
}

/// The schema's SDL, as committed in `graphql-api/schema.graphql`.
pub fn sdl() -> String {
    Schema::build(QueryRoot, MutationRoot::default(), SubscriptionRoot)
        .finish()
        .sdl()
}
