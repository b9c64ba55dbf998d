"""Putting it in front of readers: the build and its jobs, output paths, the swap into site/, the MkDocs plugin,
the preview server, the email digest.
"""
