"""Full-text search core: mixed-script analysis and the search engine interface (no Flask, no database)."""
