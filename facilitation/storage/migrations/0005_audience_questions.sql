-- Audience questions, reactions and word clouds (issue 15).
CREATE TABLE questions (
    id INTEGER PRIMARY KEY,
    event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    step_id TEXT NOT NULL,
    -- the project pitching when it was asked, so that its holder reads it afterwards
    project_id TEXT,
    participant_id INTEGER REFERENCES participants(id) ON DELETE SET NULL,
    text TEXT NOT NULL,
    -- the name the asker chose to show; NULL: anonymous
    name TEXT,
    state TEXT NOT NULL CHECK (state IN ('pending', 'shown', 'hidden')),
    answered INTEGER NOT NULL DEFAULT 0,
    merged_into INTEGER REFERENCES questions(id),
    created_at INTEGER NOT NULL
);
CREATE INDEX questions_of_event ON questions(event_id, step_id);
-- One upvote per person per question, as ballots are one per person per vote.
CREATE TABLE question_upvotes (
    question_id INTEGER NOT NULL REFERENCES questions(id) ON DELETE CASCADE,
    participant_id INTEGER NOT NULL REFERENCES participants(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (question_id, participant_id)
);
-- Per event: the question on the projector, and moderation when the facilitator changed it.
CREATE TABLE question_settings (
    event_id INTEGER PRIMARY KEY REFERENCES events(id) ON DELETE CASCADE,
    focus INTEGER REFERENCES questions(id) ON DELETE SET NULL,
    moderation TEXT CHECK (moderation IN ('post', 'pre'))
);
-- Reactions are counted, not kept one by one: the report gives totals per step.
CREATE TABLE reactions (
    event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    step_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    count INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (event_id, step_id, kind)
);
-- Words the facilitator took out of a step's word cloud (by the key variants share).
CREATE TABLE cloud_hidden (
    event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    step_id TEXT NOT NULL,
    term TEXT NOT NULL,
    PRIMARY KEY (event_id, step_id, term)
);
