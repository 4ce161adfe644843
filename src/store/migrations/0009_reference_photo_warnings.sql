-- What enrolment told the curator about an active reference photo, as it was then: its quality
-- warnings and, where the photo shows a face as large beside the one taken, that the face was
-- taken for being at the centre. Null for photos enrolled before it was recorded.
alter table reference_photos add column enrolment_warnings jsonb;
