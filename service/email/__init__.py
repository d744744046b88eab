"""The email edition: each issue as one RFC 5322 message for a list server to fan out (message),
its plain text in the emailed format (text) and its HTML (html), and its delivery (send)."""
