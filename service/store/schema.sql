-- The issue store: written once by `briefing build`, then only read.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

-- Issues are inserted oldest first, so pk order is publication order. An issue's pk is its
-- place among every issue published, withdrawn ones included (withdrawn.issue_place), so
-- that feeds keep each entry's place.
CREATE TABLE issues (
    pk        INTEGER PRIMARY KEY,
    id        TEXT NOT NULL UNIQUE,
    number    INTEGER,
    date      TEXT NOT NULL,        -- ISO date
    published TEXT NOT NULL,        -- RFC 3339, with its offset
    updated   TEXT NOT NULL,        -- RFC 3339: the latest of the editor's and corrections
    title     TEXT NOT NULL,
    tags      TEXT NOT NULL,        -- JSON array
    aliases   TEXT NOT NULL,        -- JSON array of old ids
    draft     INTEGER NOT NULL      -- 1 only in a build asked for drafts (a preview)
);
CREATE INDEX issues_by_date ON issues (date);

-- An article's pk is its issue's pk × 1024 + its position (ARTICLE_SLOTS in writer.py), so
-- article pks ascend with (issue, position): walking search matches by rowid meets them issue
-- by issue, and a match's rowid / 1024 is its issue's pk.
CREATE TABLE articles (
    pk         INTEGER PRIMARY KEY,
    issue_pk   INTEGER NOT NULL REFERENCES issues (pk),
    id         TEXT NOT NULL,
    position   INTEGER NOT NULL,
    headline   TEXT NOT NULL,
    standfirst TEXT NOT NULL,
    body_html  TEXT NOT NULL,       -- sanitised
    body_text  TEXT NOT NULL,
    headings   TEXT NOT NULL,       -- JSON array of strings
    sources    TEXT NOT NULL,       -- JSON array of {title, url}
    authors    TEXT NOT NULL,       -- JSON array of {name, email, url}
    tags       TEXT NOT NULL,       -- JSON array: the article's own, then its issue's
    updated     TEXT NOT NULL,      -- RFC 3339: its issue's, or its latest correction
    corrections TEXT NOT NULL,      -- JSON array of {date, text}, oldest first
    aliases     TEXT NOT NULL,      -- JSON array of old ids
    draft       INTEGER NOT NULL,   -- 1 if it or its issue is a draft (only in a preview)
    UNIQUE (issue_pk, id)
);
CREATE INDEX articles_in_order ON articles (issue_pk, position);
-- The article lists' newest-first order, read in index order: a deep page skips index entries
-- instead of sorting every article of the issues before it.
CREATE INDEX articles_newest_first ON articles (issue_pk DESC, position ASC);
-- Where each article sits, without its text: a tag feed places its articles from this small
-- index instead of their rows.
CREATE INDEX articles_places ON articles (pk, issue_pk, position);

-- What was published and then withdrawn: no text of it, only where it stood (the place its
-- issue has among the issues' pks, an article's position in it), when it went and why.
CREATE TABLE withdrawn (
    pk           INTEGER PRIMARY KEY,
    issue_place  INTEGER NOT NULL,
    issue_id     TEXT NOT NULL,
    article_id   TEXT NOT NULL,     -- '' for the whole issue
    position     INTEGER NOT NULL,  -- 0 for the whole issue
    date         TEXT NOT NULL,     -- its issue's ISO date, for its entry's tag URI
    published    TEXT NOT NULL,
    reason       TEXT NOT NULL,
    withdrawn_at TEXT NOT NULL,
    tags         TEXT NOT NULL,     -- JSON array: an article's, for its place in tag feeds
    aliases      TEXT NOT NULL,
    UNIQUE (issue_id, article_id)
);
CREATE INDEX withdrawn_in_order ON withdrawn (issue_place, position);

-- Old ids, and where what had them is now: an old URL answers 301 to the new one.
CREATE TABLE aliases (
    old_issue_id   TEXT NOT NULL,
    old_article_id TEXT NOT NULL,   -- '' for an issue's
    issue_id       TEXT NOT NULL,
    article_id     TEXT NOT NULL,   -- '' for an issue's
    PRIMARY KEY (old_issue_id, old_article_id)
) WITHOUT ROWID;

CREATE TABLE article_tags (
    tag        TEXT NOT NULL,
    article_pk INTEGER NOT NULL REFERENCES articles (pk),
    issue_pk   INTEGER NOT NULL REFERENCES issues (pk),
    PRIMARY KEY (tag, article_pk)
) WITHOUT ROWID;

CREATE VIRTUAL TABLE articles_fts USING fts5 (
    headline, standfirst, body_text,
    content = 'articles', content_rowid = 'pk',
    tokenize = 'porter unicode61 remove_diacritics 2'
);

-- Each word of the search index, as its tokenizer reads it: how many articles have it and how
-- often it occurs in them. What a search for it costs is known before it runs (store/terms.py).
CREATE TABLE index_words (
    word        TEXT PRIMARY KEY,
    articles    INTEGER NOT NULL,
    occurrences INTEGER NOT NULL
) WITHOUT ROWID;
