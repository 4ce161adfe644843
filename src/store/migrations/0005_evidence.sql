-- The evidence image of a face (PNG), rendered once by the worker that judged the check, stored in
-- the upload store under its content hash: the API serves it without decoding the draft again.
alter table faces add column evidence_hash text;
