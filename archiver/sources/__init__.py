"""Every input as `Capture`s: files, directories, stdin, URLs (safe fetch), WARC, export files."""
