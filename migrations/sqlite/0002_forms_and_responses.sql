-- Forms, their immutable published versions, responses and leads.
CREATE TABLE forms (
    id BLOB PRIMARY KEY NOT NULL,
    slug TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'active',
    draft TEXT NOT NULL,
    draft_revision BIGINT NOT NULL DEFAULT 1,
    published_version INTEGER,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE form_versions (
    form_id BLOB NOT NULL REFERENCES forms (id),
    version INTEGER NOT NULL,
    definition TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    published_at TEXT NOT NULL,
    PRIMARY KEY (form_id, version)
);

CREATE TABLE accounts (
    id BLOB PRIMARY KEY NOT NULL,
    domain TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);

CREATE TABLE leads (
    id BLOB PRIMARY KEY NOT NULL,
    email TEXT UNIQUE,
    account_id BLOB REFERENCES accounts (id),
    form_id BLOB NOT NULL REFERENCES forms (id),
    response_id BLOB NOT NULL,
    fields TEXT NOT NULL,
    fit INTEGER NOT NULL,
    intent INTEGER NOT NULL,
    breakdown TEXT NOT NULL,
    outcome_id TEXT NOT NULL,
    tier TEXT NOT NULL,
    handoff TEXT NOT NULL,
    disqualified_reason TEXT,
    hidden TEXT NOT NULL,
    submissions INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE responses (
    id BLOB PRIMARY KEY NOT NULL,
    form_id BLOB NOT NULL REFERENCES forms (id),
    version INTEGER NOT NULL,
    status TEXT NOT NULL DEFAULT 'in_progress',
    answers TEXT NOT NULL,
    answer_times TEXT NOT NULL,
    hidden TEXT NOT NULL,
    current_question TEXT,
    fit INTEGER NOT NULL DEFAULT 0,
    intent INTEGER NOT NULL DEFAULT 0,
    running_outcome TEXT,
    is_bot BOOLEAN NOT NULL DEFAULT FALSE,
    bot_reason TEXT,
    embedded BOOLEAN NOT NULL DEFAULT FALSE,
    client_ip TEXT,
    user_agent TEXT,
    outcome_id TEXT,
    lead_id BLOB REFERENCES leads (id),
    started_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    finished_at TEXT,
    FOREIGN KEY (form_id, version) REFERENCES form_versions (form_id, version)
);

CREATE INDEX responses_form_started ON responses (form_id, started_at);
CREATE INDEX leads_account ON leads (account_id);
