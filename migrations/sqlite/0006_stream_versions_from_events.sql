-- What every commit wrote and no query reads.
--
-- A stream's current version is the last entry of the events' own (stream, version) key, so
-- the writer no longer keeps a copy of it in `streams`. No query reads `events_command` (a
-- command's result, positions included, is in `commands`) or `events_recorded_at` (`replay
-- --until-time` cuts the log as it scans it in position order; auditors' time ranges are
-- served by the audit trail's own index). The `streams` row and the command-id entry were
-- two pages at random places in the WAL for every command of a group commit.
-- All three are derived data; nothing is lost.
DROP INDEX events_command;
DROP INDEX events_recorded_at;
DROP TABLE streams;
