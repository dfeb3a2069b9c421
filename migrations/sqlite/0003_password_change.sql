-- After an administrator resets a password, the account must choose a new
-- one before it can do anything else.
ALTER TABLE users ADD COLUMN password_change_required BOOLEAN NOT NULL DEFAULT FALSE;
