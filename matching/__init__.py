"""The matching engine: a library (no web, database or template imports).

Its public surface (``MatchEngine``, the document types, the ``SearchBackend`` protocol)
arrives with the search-backend and matching issues.
"""
