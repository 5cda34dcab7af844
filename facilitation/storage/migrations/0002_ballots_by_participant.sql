-- A phone that reconnects reads back its own ballots (event_id, participant_id): the unique
-- index on (event_id, vote_id, participant_id) only narrows that to the event, so without
-- this every reconnect during a vote of thousands of phones scanned all of its ballots.
CREATE INDEX ballots_participant ON ballots(event_id, participant_id);
