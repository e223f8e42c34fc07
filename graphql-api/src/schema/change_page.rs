//! A page of the payroll change feed (`StaffChangeConnection`), written straight to JSON.
//!
//! Integrators poll this in pages of up to 500. Resolved field by field, a page costs a
//! resolver future and a value tree per row and field (about half of its CPU time went to
//! allocating and freeing them). So when `nodes` or `edges` is selected plainly — fields only,
//! no fragments, no directives, no response key twice, which is how feeds are read — the
//! whole list is written as JSON text in one pass and passed through ([`checked_value`]). Any
//! other selection goes through the ordinary resolvers of the same types; both give the same
//! bytes (tested). The JSON is written byte by byte: response keys once per page, ids, dates
//! and times as their GraphQL scalars print them ([`scalar_text`], tested against the scalars)
//! but without a `String` per value. The schema registers no extensions, whose per-field
//! hooks this path skips.

use std::borrow::Cow;

use async_graphql::connection::{Edge, EmptyFields, PageInfo};
use async_graphql::parser::types::{Field, Selection, SelectionSet};
use async_graphql::registry::Registry;
use async_graphql::{ContextSelectionSet, Object, OutputType, Positioned, ServerResult, Value};
use uuid::Uuid;

use crate::schema::raw_json::checked_value;
use crate::schema::scalar_text;
use crate::schema::types::StaffChange;

/// One page of changes; each change's cursor is its ledger position.
pub struct StaffChangePage {
    changes: Vec<StaffChange>,
    has_next_page: bool,
}

impl StaffChangePage {
    pub fn new(changes: Vec<StaffChange>, has_next_page: bool) -> Self {
        StaffChangePage {
            changes,
            has_next_page,
        }
    }
}

fn cursor(change: &StaffChange) -> String {
    change.position.to_string()
}

// Same name, fields, order and descriptions as async-graphql's `Connection`, which this
// replaces for the change feed only (a doc comment here would become an SDL description).
#[Object(name = "StaffChangeConnection")]
impl StaffChangePage {
    /// Information to aid in pagination.
    async fn page_info(&self) -> PageInfo {
        PageInfo {
            has_previous_page: false,
            has_next_page: self.has_next_page,
            start_cursor: self.changes.first().map(cursor),
            end_cursor: self.changes.last().map(cursor),
        }
    }

    /// A list of edges.
    async fn edges(&self) -> ChangeEdges<'_> {
        ChangeEdges(&self.changes)
    }

    /// A list of nodes.
    async fn nodes(&self) -> ChangeNodes<'_> {
        ChangeNodes(&self.changes)
    }
}

/// The GraphQL type of `$list`, so that the schema is that of the general resolvers.
macro_rules! same_type_as {
    ($list:ty) => {
        fn type_name() -> Cow<'static, str> {
            <$list>::type_name()
        }

        fn qualified_type_name() -> String {
            <$list>::qualified_type_name()
        }

        fn create_type_info(registry: &mut Registry) -> String {
            <$list>::create_type_info(registry)
        }
    };
}

/// The `edges` list: `[StaffChangeEdge!]!`.
pub struct ChangeEdges<'a>(&'a [StaffChange]);

type ChangeEdge = Edge<String, StaffChange, EmptyFields>;

impl OutputType for ChangeEdges<'_> {
    same_type_as!(Vec<ChangeEdge>);

    async fn resolve(
        &self,
        ctx: &ContextSelectionSet<'_>,
        field: &Positioned<Field>,
    ) -> ServerResult<Value> {
        match edge_plan(&field.node.selection_set.node) {
            Some(plan) => {
                let writer = edge_writer(&plan);
                Ok(write_list(ctx, self.0, |out, c| {
                    write_edge(out, &writer, c)
                }))
            }
            None => {
                let edges: Vec<ChangeEdge> = self
                    .0
                    .iter()
                    .map(|c| Edge::new(cursor(c), c.clone()))
                    .collect();
                edges.resolve(ctx, field).await
            }
        }
    }
}

/// The `nodes` list: `[StaffChange!]!`.
pub struct ChangeNodes<'a>(&'a [StaffChange]);

impl OutputType for ChangeNodes<'_> {
    same_type_as!(Vec<StaffChange>);

    async fn resolve(
        &self,
        ctx: &ContextSelectionSet<'_>,
        field: &Positioned<Field>,
    ) -> ServerResult<Value> {
        match node_plan(&field.node.selection_set.node) {
            Some(plan) => {
                let writer = node_writer(&plan);
                Ok(write_list(ctx, self.0, |out, c| {
                    write_node(out, &writer, c)
                }))
            }
            None => OutputType::resolve(&self.0, ctx, field).await,
        }
    }
}

/// The list as one JSON array, passed through as text.
fn write_list(
    ctx: &ContextSelectionSet<'_>,
    changes: &[StaffChange],
    item: impl Fn(&mut Vec<u8>, &StaffChange),
) -> Value {
    // The stored cells plus the other fields and keys of a node (about 170 bytes; edges
    // somewhat more): growing by doubling would copy the page several times.
    let room: usize = changes.iter().map(|c| c.changes.as_str().len() + 256).sum();
    let mut out = Vec::with_capacity(room);
    out.push(b'[');
    for (i, change) in changes.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        item(&mut out, change);
    }
    out.push(b']');
    // JSON by construction: written here from checked values and cells checked when read.
    checked_value(ctx, String::from_utf8(out).expect("only UTF-8 is written"))
}

/// A field of `StaffChange` the fast path writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NodeField {
    Position,
    EmployeeId,
    ChangeKind,
    EffectiveDate,
    RecordedAt,
    Changes,
    Typename,
}

/// A field of `StaffChangeEdge` the fast path writes; `N` is how the node's own fields are
/// held: planned ([`NodePlan`]) or ready to write ([`NodeWriter`]).
#[derive(Debug, Clone, PartialEq, Eq)]
enum EdgeField<N> {
    Cursor,
    Node(N),
    Typename,
}

/// Response keys (aliases or names, from the query) with what each holds, in query order.
type NodePlan<'q> = Vec<(&'q str, NodeField)>;
type EdgePlan<'q> = Vec<(&'q str, EdgeField<NodePlan<'q>>)>;

fn node_plan(set: &SelectionSet) -> Option<NodePlan<'_>> {
    plain_fields(set)?
        .into_iter()
        .map(|(key, field)| {
            let what = match field.name.node.as_str() {
                "position" => NodeField::Position,
                "employeeId" => NodeField::EmployeeId,
                "changeKind" => NodeField::ChangeKind,
                "effectiveDate" => NodeField::EffectiveDate,
                "recordedAt" => NodeField::RecordedAt,
                "changes" => NodeField::Changes,
                "__typename" => NodeField::Typename,
                _ => return None,
            };
            Some((key, what))
        })
        .collect()
}

fn edge_plan(set: &SelectionSet) -> Option<EdgePlan<'_>> {
    plain_fields(set)?
        .into_iter()
        .map(|(key, field)| {
            let what = match field.name.node.as_str() {
                "cursor" => EdgeField::Cursor,
                "node" => EdgeField::Node(node_plan(&field.selection_set.node)?),
                "__typename" => EdgeField::Typename,
                _ => return None,
            };
            Some((key, what))
        })
        .collect()
}

/// The selected fields with their response keys, or `None` when the selection needs the
/// general resolver: a fragment, a directive (`@skip`, `@include`) or a repeated response key
/// (which GraphQL merges).
fn plain_fields(set: &SelectionSet) -> Option<Vec<(&str, &Field)>> {
    let mut fields: Vec<(&str, &Field)> = Vec::with_capacity(set.items.len());
    for item in &set.items {
        let Selection::Field(field) = &item.node else {
            return None;
        };
        let field = &field.node;
        let key = field.response_key().node.as_str();
        if !field.directives.is_empty() || fields.iter().any(|(k, _)| *k == key) {
            return None;
        }
        fields.push((key, field));
    }
    Some(fields)
}

/// A plan's response keys written once per page as JSON (`"key":`), each with its field.
struct Keyed<F> {
    fields: Vec<(Vec<u8>, F)>,
}

impl<F> Keyed<F> {
    fn new<G>(plan: &[(&str, G)], field: impl Fn(&G) -> F) -> Self {
        let fields = plan
            .iter()
            .map(|(key, what)| {
                let mut json = serde_json::to_vec(key).expect("a string serialises");
                json.push(b':');
                (json, field(what))
            })
            .collect();
        Keyed { fields }
    }

    /// `{"key":value,...}`, each value written by `value`.
    fn write(&self, out: &mut Vec<u8>, mut value: impl FnMut(&mut Vec<u8>, &F)) {
        out.push(b'{');
        for (i, (key, field)) in self.fields.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(key);
            value(out, field);
        }
        out.push(b'}');
    }
}

type NodeWriter = Keyed<NodeField>;
type EdgeWriter = Keyed<EdgeField<NodeWriter>>;

fn node_writer(plan: &NodePlan<'_>) -> NodeWriter {
    Keyed::new(plan, |field| *field)
}

fn edge_writer(plan: &EdgePlan<'_>) -> EdgeWriter {
    Keyed::new(plan, |field| match field {
        EdgeField::Cursor => EdgeField::Cursor,
        EdgeField::Node(plan) => EdgeField::Node(node_writer(plan)),
        EdgeField::Typename => EdgeField::Typename,
    })
}

/// A JSON string whose text needs no escaping (digits, hex, `-`, `:`, `.`, `+`, `T`).
fn plain_string(out: &mut Vec<u8>, text: &[u8]) {
    out.push(b'"');
    out.extend_from_slice(text);
    out.push(b'"');
}

fn write_node(out: &mut Vec<u8>, writer: &NodeWriter, c: &StaffChange) {
    writer.write(out, |out, field| match field {
        NodeField::Position => {
            out.extend_from_slice(itoa::Buffer::new().format(c.position).as_bytes())
        }
        NodeField::EmployeeId => plain_string(
            out,
            c.employee_id
                .hyphenated()
                .encode_lower(&mut Uuid::encode_buffer())
                .as_bytes(),
        ),
        NodeField::ChangeKind => {
            serde_json::to_writer(&mut *out, &c.change_kind).expect("writing to memory")
        }
        NodeField::EffectiveDate => scalar_text::day(out, c.effective_date),
        NodeField::RecordedAt => scalar_text::time(out, &c.recorded_at),
        NodeField::Changes => out.extend_from_slice(c.changes.as_str().as_bytes()),
        NodeField::Typename => out.extend_from_slice(b"\"StaffChange\""),
    })
}

fn write_edge(out: &mut Vec<u8>, writer: &EdgeWriter, c: &StaffChange) {
    writer.write(out, |out, field| match field {
        EdgeField::Cursor => plain_string(out, itoa::Buffer::new().format(c.position).as_bytes()),
        EdgeField::Node(node) => write_node(out, node, c),
        EdgeField::Typename => out.extend_from_slice(b"\"StaffChangeEdge\""),
    })
}

#[cfg(test)]
mod tests {
    use async_graphql::parser::parse_query;
    use async_graphql::parser::types::{DocumentOperations, ExecutableDocument};

    use super::*;

    /// The selection set of `staffChanges` in a one-operation query.
    fn page_selection(doc: &ExecutableDocument) -> &SelectionSet {
        let DocumentOperations::Single(op) = &doc.operations else {
            panic!("one operation")
        };
        let Selection::Field(root) = &op.node.selection_set.node.items[0].node else {
            panic!("a field")
        };
        &root.node.selection_set.node
    }

    fn list_field<'d>(doc: &'d ExecutableDocument, name: &str) -> &'d SelectionSet {
        page_selection(doc)
            .items
            .iter()
            .find_map(|item| match &item.node {
                Selection::Field(f) if f.node.name.node == name => Some(&f.node.selection_set.node),
                _ => None,
            })
            .expect("list field selected")
    }

    #[test]
    fn plain_selections_are_planned_with_their_aliases() {
        let doc = parse_query(
            "{ staffChanges { nodes { position at: recordedAt changes __typename } \
             edges { cursor node { employeeId } } } }",
        )
        .unwrap();
        assert_eq!(
            node_plan(list_field(&doc, "nodes")),
            Some(vec![
                ("position", NodeField::Position),
                ("at", NodeField::RecordedAt),
                ("changes", NodeField::Changes),
                ("__typename", NodeField::Typename),
            ])
        );
        assert_eq!(
            edge_plan(list_field(&doc, "edges")),
            Some(vec![
                ("cursor", EdgeField::Cursor),
                (
                    "node",
                    EdgeField::Node(vec![("employeeId", NodeField::EmployeeId)])
                ),
            ])
        );
    }

    #[test]
    fn fragments_directives_and_repeated_keys_take_the_general_path() {
        for nodes in [
            "{ ...F }",
            "{ ... on StaffChange { position } }",
            "{ position @include(if: true) }",
            "{ position position }",
            "{ a: position a: changeKind }",
        ] {
            let doc = parse_query(format!(
                "{{ staffChanges {{ nodes {nodes} }} }} fragment F on StaffChange {{ position }}"
            ))
            .unwrap();
            assert_eq!(node_plan(list_field(&doc, "nodes")), None, "{nodes}");
        }
        let doc = parse_query(
            "{ staffChanges { edges { node { ...F } } } } fragment F on StaffChange { position }",
        )
        .unwrap();
        assert_eq!(edge_plan(list_field(&doc, "edges")), None);
    }
}
