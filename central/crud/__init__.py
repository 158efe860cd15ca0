"""Central's data operations: typed, keyword-only functions over an open Session.

None of them commits: the route that calls them commits once, so a refusal half-way leaves
nothing written.
"""
