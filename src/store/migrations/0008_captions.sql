-- Names read from a check's captions (issue 14): whether to read them when no names are given
-- (a PDF page by default, an image when asked), and what was read, with where and how sure.
alter table checks add column read_captions boolean not null default false;
alter table checks add column captions jsonb;
