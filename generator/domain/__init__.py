"""The archive as data: the model, topics, organizations and the other collections, and the page views. No I/O.
"""
