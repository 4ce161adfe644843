-- Sessions of the review desk (/review): an API key signed in from a browser. The cookie holds a
-- random id; only its hash is stored. csrf is the token every form of the session carries.
create table review_sessions (
  id_hash     text primary key,
  api_key_id  uuid not null references api_keys (id) on delete cascade,
  csrf        text not null,
  created_at  timestamptz not null default now(),
  expires_at  timestamptz not null
);
create index review_sessions_expiry on review_sessions (expires_at);
