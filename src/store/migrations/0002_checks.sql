-- Checks of uploaded drafts, their claims, faces and verdicts, grouped in batches.
create table batches (
  id          uuid primary key default gen_random_uuid(),
  name        text,
  category    text,
  -- Closed: no more images will be added; batch.completed fires once all its checks have ended.
  closed_at   timestamptz,
  completed_at timestamptz,
  created_by  uuid,
  created_at  timestamptz not null default now()
);

create table checks (
  id            uuid primary key default gen_random_uuid(),
  batch_id      uuid references batches (id) on delete cascade,
  file_hash     text not null,
  file_name     text,
  format        text,
  category      text,
  status        text not null default 'queued' check (status in ('queued', 'processing', 'done', 'failed')),
  flagged       boolean,
  findings      jsonb,
  model         text,
  error_code    text,
  error_message text,
  attempts      integer not null default 0,
  submitted_by  uuid,
  created_at    timestamptz not null default now(),
  started_at    timestamptz,
  completed_at  timestamptz,
  -- The verification team's resolution of a flagged check.
  review_decision text check (review_decision in ('photo_correct', 'photo_wrong', 'needs_follow_up')),
  review_note     text,
  reviewed_by     uuid,
  reviewed_at     timestamptz
);
create index checks_batch on checks (batch_id);
create index checks_flagged on checks (created_at desc) where flagged;
create index checks_created on checks (created_at desc);

create table claims (
  check_id  uuid not null references checks (id) on delete cascade,
  position  integer not null,
  text      text not null,
  box       jsonb,
  primary key (check_id, position)
);

-- One row per detected face; rewritten as a whole in one transaction, so a job run twice leaves one result.
create table faces (
  check_id         uuid not null references checks (id) on delete cascade,
  position         integer not null,
  verdict          text not null,
  claim_person_id  text,
  best_person_id   text,
  result           jsonb not null,
  primary key (check_id, position)
);
create index faces_verdict on faces (verdict);
