-- Missed appointments by when the miss was recorded: the reminder planner
-- looks for recent ones (to follow up) on every pass.
CREATE INDEX appointments_missed ON appointments(outcome_at) WHERE outcome = 'missed';
