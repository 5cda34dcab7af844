-- Seating caches what every phone shows of its seat and computes it again when this number
-- changes. It is kept here, bumped in the transaction of each write that changes those seats,
-- rather than counted in one process, so that every process sharing the file sees the change.
ALTER TABLE events ADD COLUMN seating_version INTEGER NOT NULL DEFAULT 0;
