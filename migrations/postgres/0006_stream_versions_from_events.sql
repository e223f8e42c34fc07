-- A stream's current version is the last entry of the events' own (stream, version) key, so
-- the writer no longer keeps a copy of it. Each command used to update a `streams` row and an
-- index on `events.command_id` that no query reads (a command's result, positions included,
-- is in `commands`): two more index entries and a row version in every commit, written and
-- logged on the server's single write path. Both are derived data; nothing is lost.
DROP INDEX events_command;
DROP TABLE streams;
