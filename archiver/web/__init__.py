"""The read-only web view (`archive serve`): pages and JSON on the read/ functions; needs `archive-news[web]`."""
