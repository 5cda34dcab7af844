-- One person, one vote (issue 11). A ticket is a personal link the facilitator printed:
-- the phone that opens it votes in votes kept for ticket holders.
ALTER TABLE participants ADD COLUMN ticket INTEGER NOT NULL DEFAULT 0;
-- The client address an anonymous phone joined from, so that the facilitator can see many
-- identities made from one address within seconds (a script, not a room of phones).
-- NULL for the people the facilitator made (invitations, tickets) and for older rows.
ALTER TABLE participants ADD COLUMN origin TEXT;
-- A ballot the facilitator set aside still exists (it can be restored) but is not counted.
ALTER TABLE ballots ADD COLUMN set_aside INTEGER NOT NULL DEFAULT 0;
-- How many people the facilitator counted in the room, to compare the ballots with.
ALTER TABLE events ADD COLUMN head_count INTEGER;
