"""The database's schema, as the steps that build it: a new database runs them all, an older one
the steps it has not had (its `PRAGMA user_version` counts those it had).

Learners' databases stand at every step ever written, so a step is never changed: the schema
grows by a new one at the end.
"""

MIGRATIONS = [
    """
    CREATE TABLE attempts (
        id INTEGER PRIMARY KEY,
        chunk TEXT NOT NULL,
        kind TEXT NOT NULL DEFAULT 'practice',
        file TEXT NOT NULL,
        started_at TEXT NOT NULL,
        ended_at TEXT,
        active_s REAL NOT NULL DEFAULT 0,
        paused_s REAL NOT NULL DEFAULT 0,
        outcome TEXT NOT NULL DEFAULT 'open'
            CHECK (outcome IN ('open', 'passed', 'failed', 'abandoned')),
        hints_used INTEGER NOT NULL DEFAULT 0,
        peeked INTEGER NOT NULL DEFAULT 0,
        checks INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE snapshots (
        id INTEGER PRIMARY KEY,
        attempt_id INTEGER NOT NULL REFERENCES attempts (id),
        taken_at TEXT NOT NULL,
        reason TEXT NOT NULL,
        content TEXT NOT NULL,
        passed INTEGER,
        result TEXT
    );
    CREATE INDEX snapshots_by_attempt ON snapshots (attempt_id, id);
    """,
    # Time away from an attempt does not count: while paused or quit, `paused_since` holds when
    # that began; while watched, `last_seen` is refreshed, so a drill killed outright resumes
    # with the time since it was last seen counted as away.
    """
    ALTER TABLE attempts ADD COLUMN paused_since TEXT;
    ALTER TABLE attempts ADD COLUMN last_seen TEXT;
    """,
    # Each chunk's FSRS card as fsrs serialises it, rewritten whenever the reviews change.
    """
    CREATE TABLE cards (chunk TEXT PRIMARY KEY, card TEXT NOT NULL, updated_at TEXT NOT NULL);
    """,
    # A speedrun is an attempt of kind 'speedrun'; each chunk whose suite first passes in it
    # is a split, at the run's active time then.
    """
    CREATE TABLE splits (
        attempt_id INTEGER NOT NULL REFERENCES attempts (id),
        chunk TEXT NOT NULL,
        at_s REAL NOT NULL,
        PRIMARY KEY (attempt_id, chunk)
    );
    """,
    # A worksheet attempt (chain) keeps the seed its sheet was written from, so the same sheet
    # can be written again (reset, show) and the answers graded against it.
    """
    ALTER TABLE attempts ADD COLUMN seed INTEGER;
    """,
    # Years of practice: a version's text is kept zlib-compressed (`pack`) in `texts`, once
    # for a run of identical versions of one attempt; its result is compressed too. Indexes
    # let the read commands ask SQLite for sums instead of reading every attempt, and the
    # review history is kept beside the cards it builds (rebuilt with them).
    """
    CREATE TABLE texts (id INTEGER PRIMARY KEY, packed BLOB NOT NULL);
    INSERT INTO texts (id, packed) SELECT id, pack(content) FROM (
        SELECT id, content, LAG(content) OVER (PARTITION BY attempt_id ORDER BY id) AS before
        FROM snapshots) WHERE before IS NULL OR before IS NOT content;
    CREATE TABLE versions (
        id INTEGER PRIMARY KEY,
        attempt_id INTEGER NOT NULL REFERENCES attempts (id),
        taken_at TEXT NOT NULL,
        reason TEXT NOT NULL,
        text_id INTEGER NOT NULL REFERENCES texts (id),
        passed INTEGER,
        result BLOB
    );
    INSERT INTO versions SELECT s.id, s.attempt_id, s.taken_at, s.reason,
        (SELECT MAX(t.id) FROM texts t JOIN snapshots o ON o.id = t.id
         WHERE o.attempt_id = s.attempt_id AND t.id <= s.id), s.passed, pack(s.result)
        FROM snapshots s;
    DROP TABLE snapshots;
    ALTER TABLE versions RENAME TO snapshots;
    CREATE INDEX snapshots_by_attempt ON snapshots (attempt_id, id);
    CREATE INDEX attempts_open ON attempts (id) WHERE outcome = 'open';
    CREATE INDEX attempts_by_chunk ON attempts (chunk, kind, outcome, active_s, hints_used,
                                                ended_at);
    CREATE INDEX attempts_by_end ON attempts (outcome, ended_at, active_s, chunk);
    CREATE TABLE reviews (attempt_id INTEGER PRIMARY KEY, chunk TEXT NOT NULL, at TEXT NOT NULL,
                          rating TEXT NOT NULL, why TEXT NOT NULL);
    CREATE INDEX reviews_by_chunk ON reviews (chunk, at);
    CREATE TABLE summaries (key TEXT PRIMARY KEY, summary TEXT NOT NULL);
    """,
    # A bug hunt is an attempt of kind 'hunt'; `mutant` names the bug it planted, one of the
    # chunk's mutants (chunks/<chunk>/mutants.toml).
    """
    ALTER TABLE attempts ADD COLUMN mutant TEXT;
    """,
    # A hint speaks to the test failing when it is asked for, so hints come in any order:
    # `hints_given` lists the numbers of those given, in order, as JSON (NULL: the first
    # `hints_used`, in order, as before).
    """
    ALTER TABLE attempts ADD COLUMN hints_given TEXT;
    """,
    # What the read commands ask of a long history, answered from an index instead of read off
    # every attempt (at 100,000 attempts each such question took 16 to 52 ms): the hunts and
    # speedruns (by kind), a drawing chunk's figures per draw (by chunk and seed), and the
    # chunks passed, one index step each.
    """
    CREATE INDEX attempts_by_kind ON attempts (kind, outcome, ended_at, chunk, active_s);
    CREATE INDEX attempts_by_draw ON attempts (chunk, seed, outcome, active_s, hints_used);
    CREATE INDEX attempts_by_outcome ON attempts (outcome, chunk);
    """,
]
