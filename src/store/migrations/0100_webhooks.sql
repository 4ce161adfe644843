-- Webhook endpoints, the events the service raised, and one delivery per (endpoint, event) with every attempt.
create table webhook_endpoints (
  id              uuid primary key default gen_random_uuid(),
  url             text not null,
  description     text,
  events          text[] not null,
  enabled         boolean not null default true,
  -- Why the service disabled it (a 410 Gone), or null when an operator did or it is enabled.
  disabled_reason text,
  -- Signing needs the secret itself: it is stored, and shown to the API user only when created or rotated.
  secret          text not null,
  -- During a rotation's grace period the old secret signs too.
  previous_secret text,
  previous_secret_expires_at timestamptz,
  created_at      timestamptz not null default now(),
  updated_at      timestamptz not null default now()
);

create table webhook_events (
  id         text primary key,
  type       text not null,
  -- The exact JSON text every delivery of this event sends and signs.
  body       text not null,
  created_at timestamptz not null default now()
);

create table webhook_deliveries (
  -- Sent as webhook-id: the same on every attempt and on a redelivery, so receivers can drop duplicates.
  id            text primary key,
  endpoint_id   uuid not null references webhook_endpoints (id) on delete cascade,
  event_id      text not null references webhook_events (id) on delete cascade,
  status        text not null default 'pending' check (status in ('pending', 'succeeded', 'failed')),
  attempts      integer not null default 0,
  -- Bumped by a redelivery, so that its queue job is a new one.
  generation    integer not null default 0,
  next_attempt_at timestamptz,
  last_status_code integer,
  last_error    text,
  created_at    timestamptz not null default now(),
  completed_at  timestamptz,
  unique (endpoint_id, event_id)
);
create index webhook_deliveries_endpoint on webhook_deliveries (endpoint_id, created_at desc);
create index webhook_deliveries_pending on webhook_deliveries (status) where status = 'pending';

create table webhook_attempts (
  id           bigserial primary key,
  delivery_id  text not null references webhook_deliveries (id) on delete cascade,
  attempt      integer not null,
  started_at   timestamptz not null default now(),
  -- Null while in flight; an attempt whose worker died stays without an end and says so in error.
  ended_at     timestamptz,
  status_code  integer,
  latency_ms   integer,
  error        text,
  response     text
);
create index webhook_attempts_delivery on webhook_attempts (delivery_id, attempt);
