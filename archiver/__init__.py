"""archive: a boilerplate-stripping provenance archiver for news pages."""

__version__ = "0.1.0"
