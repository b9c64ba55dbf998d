"""What the site is made of, from the model: pages (templates), feeds, search index, downloads, card data,
similar papers, charts, digests.
"""
