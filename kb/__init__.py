"""debate-kb: a claim-tracking knowledge base for public debates."""

__version__ = "0.1.0"
