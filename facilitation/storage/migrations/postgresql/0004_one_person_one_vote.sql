-- As ../0004: voting tickets, the address an anonymous phone joined from, ballots set
-- aside, the head count.
ALTER TABLE participants ADD COLUMN ticket INTEGER NOT NULL DEFAULT 0;
ALTER TABLE participants ADD COLUMN origin TEXT;
ALTER TABLE ballots ADD COLUMN set_aside INTEGER NOT NULL DEFAULT 0;
ALTER TABLE events ADD COLUMN head_count INTEGER;
