-- A response's revision goes up with every change, so a copy kept in
-- memory can tell whether it is older than what is stored.
ALTER TABLE responses ADD COLUMN revision BIGINT NOT NULL DEFAULT 0;
