-- Schema version 1, as facilitation created it before migrations existed. IF NOT EXISTS
-- stays: that code recorded the version after making the tables, so a file may have the
-- tables and no version, and then this runs over them.
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    secret TEXT NOT NULL,
    format_id TEXT NOT NULL,
    format_name TEXT NOT NULL,      -- where the format came from (file path or shipped name)
    format_source TEXT NOT NULL,    -- the YAML as it was when the event was created
    nested_json TEXT NOT NULL DEFAULT '{}',  -- formats it uses (`use` steps), also as they were
    roster_json TEXT NOT NULL,
    params_json TEXT NOT NULL,
    lang TEXT NOT NULL,
    seed INTEGER NOT NULL,
    state_json TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS participants (
    id INTEGER PRIMARY KEY,
    event_id INTEGER NOT NULL REFERENCES events(id),
    token TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL DEFAULT '',
    role TEXT NOT NULL DEFAULT 'participant',
    project_id TEXT,                -- the project a holder presents
    invited INTEGER NOT NULL DEFAULT 0,  -- made by the organiser, reached by a personal link
    profile_json TEXT NOT NULL DEFAULT '{}',  -- offers, needs, organisation… for matchmaking
    created_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS participants_event ON participants(event_id);
-- holders and partners are read on every page load: a few rows among thousands of phones
CREATE INDEX IF NOT EXISTS participants_invited ON participants(event_id) WHERE invited = 1;
CREATE TABLE IF NOT EXISTS votes (
    event_id INTEGER NOT NULL REFERENCES events(id),
    vote_id TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'open', 'closed')),
    revealed INTEGER NOT NULL DEFAULT 0,
    reopened INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (event_id, vote_id)
);
CREATE TABLE IF NOT EXISTS ballots (
    id INTEGER PRIMARY KEY,
    event_id INTEGER NOT NULL,
    vote_id TEXT NOT NULL,
    participant_id INTEGER REFERENCES participants(id),  -- NULL for a paper ballot
    ballot_json TEXT NOT NULL,
    paper INTEGER NOT NULL DEFAULT 0,
    cast_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    FOREIGN KEY (event_id, vote_id) REFERENCES votes(event_id, vote_id),
    UNIQUE (event_id, vote_id, participant_id)   -- one person, one ballot per vote
);
CREATE TABLE IF NOT EXISTS log (
    id INTEGER PRIMARY KEY,
    event_id INTEGER NOT NULL REFERENCES events(id),
    at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    detail_json TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS log_event ON log(event_id, at);
CREATE TABLE IF NOT EXISTS items (
    id INTEGER PRIMARY KEY,
    event_id INTEGER NOT NULL REFERENCES events(id),
    step_id TEXT NOT NULL,
    participant_id INTEGER REFERENCES participants(id),
    fields_json TEXT NOT NULL,
    hidden INTEGER NOT NULL DEFAULT 0,     -- moderated away by the facilitator
    merged_into INTEGER REFERENCES items(id),  -- a duplicate folded into another item
    created_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS items_step ON items(event_id, step_id);
CREATE INDEX IF NOT EXISTS items_author ON items(event_id, participant_id);
CREATE TABLE IF NOT EXISTS seatings (
    event_id INTEGER NOT NULL REFERENCES events(id),
    step_id TEXT NOT NULL,
    round INTEGER NOT NULL,          -- 0 for a groups step, 1.. for the rounds of a rotation
    plan_json TEXT NOT NULL,         -- groups (tables, member ids, roles) or card -> reader
    created_at INTEGER NOT NULL,
    PRIMARY KEY (event_id, step_id, round)
);
CREATE TABLE IF NOT EXISTS scores (
    event_id INTEGER NOT NULL REFERENCES events(id),
    step_id TEXT NOT NULL,
    round INTEGER NOT NULL,
    item_id INTEGER NOT NULL REFERENCES items(id),
    participant_id INTEGER NOT NULL REFERENCES participants(id),
    score INTEGER NOT NULL,
    PRIMARY KEY (event_id, step_id, round, participant_id, item_id)
);
CREATE TABLE IF NOT EXISTS wishes (
    event_id INTEGER NOT NULL REFERENCES events(id),
    source INTEGER NOT NULL REFERENCES participants(id),
    target INTEGER NOT NULL REFERENCES participants(id),
    level TEXT NOT NULL CHECK (level IN ('must', 'want', 'no')),
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (event_id, source, target)     -- one wish per person per other person
);
CREATE TABLE IF NOT EXISTS match_drafts (
    event_id INTEGER PRIMARY KEY REFERENCES events(id),
    draft_json TEXT NOT NULL,        -- the organiser's draft, with what phones were last shown
    updated_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY,
    event_id INTEGER NOT NULL REFERENCES events(id),
    project_id TEXT NOT NULL,
    participant_id INTEGER NOT NULL REFERENCES participants(id),
    fields_json TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (event_id, project_id, participant_id)  -- one feedback per person per project
);
