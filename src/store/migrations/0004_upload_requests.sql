-- Upload requests by their Idempotency-Key: a client that retries an upload (its connection
-- dropped, the API restarted) with the same key gets the checks the first request created.
create table upload_requests (
  api_key         uuid not null,
  idempotency_key text not null,
  -- What the request carried (file hashes, fields): the same key with other content is refused.
  fingerprint     text not null,
  check_ids       uuid[] not null,
  created_at      timestamptz not null default now(),
  primary key (api_key, idempotency_key)
);
