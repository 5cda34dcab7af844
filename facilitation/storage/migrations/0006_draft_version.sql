-- Phones read the published meetings from the draft on every page load; parsing a draft of
-- 10,000 meetings takes 0.2 s. Each process keeps the one it parsed and parses again when
-- this number changes: bumped in the transaction that saves the draft, so that every process
-- sharing the file sees the change.
ALTER TABLE match_drafts ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
