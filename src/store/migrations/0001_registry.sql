-- The registry: people and their verified reference photos.
create table people (
  id          text primary key check (id ~ '^[a-z0-9][a-z0-9-]*$'),
  name        text not null,
  aliases     text[] not null default '{}',
  category    text,
  region      text,
  status      text,
  notes       text,
  created_at  timestamptz not null default now(),
  updated_at  timestamptz not null default now()
);
create index people_category on people (category);

create table reference_photos (
  id               uuid primary key default gen_random_uuid(),
  person_id        text not null references people (id) on delete cascade,
  -- sha256 of the file in the upload store; the same file for one person is stored once.
  file_hash        text not null,
  file_name        text,
  format           text,
  provenance       text,
  -- pending: queued for enrolment; active: used for checks; rejected: failed enrolment; retired: withdrawn.
  status           text not null default 'pending' check (status in ('pending', 'active', 'rejected', 'retired')),
  rejection_reason text,
  -- The face the curator chose when the photo holds several.
  chosen_box       jsonb,
  face_box         jsonb,
  descriptor       real[],
  model            text,
  quality          jsonb,
  created_at       timestamptz not null default now(),
  updated_at       timestamptz not null default now(),
  unique (person_id, file_hash)
);
create index reference_photos_active on reference_photos (model) where status = 'active';

-- Bumped on every change that alters what checks compare against; workers reload when it moves.
create table registry_state (
  singleton boolean primary key default true check (singleton),
  version   bigint not null default 0
);
insert into registry_state default values;
