"""reportgen: turns a curated, sourced fact store into an analyst briefing."""

__version__ = "0.1.0"
