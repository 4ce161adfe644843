-- A check made from one page of a PDF: the document's content hash (the PDF itself is kept in the
-- upload store) and the page number from 1. Null for a check of an image.
alter table checks add column document_hash text;
alter table checks add column page integer check (page is null or page >= 1);
create index checks_document_hash on checks (document_hash) where document_hash is not null;
