-- Each user's token generation (User::token_generation): tokens issued under
-- an older one are refused. Users from before start at 0, as the tokens
-- issued before carry none, so nobody is signed out by the upgrade.

ALTER TABLE users ADD COLUMN token_generation bigint NOT NULL DEFAULT 0;
