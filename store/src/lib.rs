//! Event store.
