"""`briefing preview`: the editors' own view of their content as they write it.

In the order a save travels: `watch` notices it, `rebuild` builds the content (drafts
included) into a private store or reports its errors, `command` serves that store with the
service itself under gunicorn, and `shown` is what the service does differently as a preview
(the banner, the errors above the last good build, nothing kept by any cache).
"""
