-- Instance-wide settings shared by every instance on this database
-- (the generated secret key lives here when none is configured).
CREATE TABLE instance_settings (
    key TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);
