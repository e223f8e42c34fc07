//! Pure HR domain model of hrledger (filled in by the domain work).
