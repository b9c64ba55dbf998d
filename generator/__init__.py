"""Daily Papers Archive: turns stored Hugging Face Daily Papers snapshots into a static site."""

__version__ = "0.1.0"
