-- Secondary indexes a rebuild has set aside, with the statement that builds each again.
--
-- A rebuild empties the read models and, on PostgreSQL, drops the indexes it never reads
-- itself, recording them here in the same transaction; once the replay has caught up, the
-- projector builds them from the loaded rows and deletes their rows here, again in one
-- transaction. A rebuild stopped part-way leaves its rows here, and whichever run catches up
-- next builds them.
CREATE TABLE projection_deferred_indexes (
    name        TEXT PRIMARY KEY,
    definition  TEXT NOT NULL
);
