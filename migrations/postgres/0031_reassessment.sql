-- Reassessment by rule: a program may ask for a reassessment every so many
-- months (and, with a rule, a first assessment within 30 days of the start
-- of supervision and a reassessment within 30 days of a change of status).
-- The date the case's next one is due is kept on the case, so the alert
-- sweep reads it through an index as it reads the other dates.
ALTER TABLE programs ADD COLUMN reassess_months INTEGER;
ALTER TABLE cases ADD COLUMN reassess_by DATE;
CREATE INDEX cases_reassess_by ON cases(reassess_by);
