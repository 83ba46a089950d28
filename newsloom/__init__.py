"""newsloom: news articles in any language → events, storylines, who said what."""

__version__ = "0.1.0"
