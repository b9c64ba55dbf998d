"""From the API (or saved responses) into the store: download, normalize, merge, fetch, import.
"""
