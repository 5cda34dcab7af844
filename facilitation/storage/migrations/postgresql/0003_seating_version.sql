-- As ../0003: bumped in the transaction of each write that changes what seats show.
ALTER TABLE events ADD COLUMN seating_version BIGINT NOT NULL DEFAULT 0;
