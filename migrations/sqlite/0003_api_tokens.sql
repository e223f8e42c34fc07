-- API bearer tokens. Only the SHA-256 of a secret is kept: a copy of the database does not
-- let anyone call the API. A token is never deleted, only revoked, so the actor names written
-- into events always resolve to the token that wrote them.
CREATE TABLE api_tokens (
    name         TEXT PRIMARY KEY,
    role         TEXT NOT NULL,
    secret_hash  TEXT NOT NULL UNIQUE,
    created_at   TEXT NOT NULL,
    revoked_at   TEXT
);
