//! Limits that keep one request from swamping the ledger. Requests beyond them are refused whole.

/// Longest stream name, in bytes.
pub const MAX_STREAM_NAME_BYTES: usize = 200;
/// Largest JSON body of one event, in bytes (serialized compact form).
pub const MAX_EVENT_BYTES: usize = 256 * 1024;
/// Most events in one atomic append (a transfer of a few thousand staff fits).
pub const MAX_EVENTS_PER_APPEND: usize = 20_000;
