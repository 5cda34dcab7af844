-- As ../0006: bumped in the transaction that saves the draft.
ALTER TABLE match_drafts ADD COLUMN version BIGINT NOT NULL DEFAULT 0;
