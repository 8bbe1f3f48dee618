"""The import targets (*kinds*), one module each; ``base`` holds the interface they share.

Nothing is re-exported here: the kinds are reached through ``services.imports.registry``.
"""
