"""The snapshot store: bounded reading, the format, validation, the signed cache, atomic writes, loading into the
model.
"""
