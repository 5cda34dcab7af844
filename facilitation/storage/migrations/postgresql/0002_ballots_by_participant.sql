-- As ../0002: a reconnecting phone reads back its own ballots by (event, participant).
CREATE INDEX ballots_participant ON ballots(event_id, participant_id);
