-- API keys (only their hash is kept) and the audit log of registry changes and review decisions.
create table api_keys (
  id           uuid primary key default gen_random_uuid(),
  name         text,
  role         text not null check (role in ('admin', 'curator', 'submitter', 'reviewer')),
  key_hash     text not null unique,
  -- The first characters of the key, to tell keys apart in listings without revealing them.
  key_prefix   text not null,
  created_at   timestamptz not null default now(),
  last_used_at timestamptz,
  revoked_at   timestamptz
);

create table audit_log (
  id          bigserial primary key,
  at          timestamptz not null default now(),
  actor       uuid,
  action      text not null,
  subject     text not null,
  details     jsonb not null default '{}'
);
create index audit_log_subject on audit_log (subject, at);
